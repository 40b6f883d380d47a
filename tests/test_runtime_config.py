"""Runtime configs, serialization configs and engine inspectors (``create_runtime_config``,
``create_execution_context(runtime_config=...)``, ``get_runtime_config``, ``create_serialization_config``,
``serialize_with_config``, ``create_engine_inspector``): defaults, setters, refusals, lifetimes, both majors.
"""

from __future__ import annotations

import gc
import json
import weakref

import numpy as np
import pytest

import trt_runtime as trt
from conftest import DOUBLE_VERSION, RecordingLogger, make_plan, since_10
from copy_engine import PROFILES, TENSORS, engine  # noqa: F401
from support import live_objects
from trt_runtime._ffi import ffi, lib

S = trt.ExecutionContextAllocationStrategy
F = trt.SerializationFlag
L = trt.LayerInformationFormat

needs_10_11 = pytest.mark.skipif(not since_10(11), reason="runtime configs came in TensorRT 10.11")


# ------------------------------------------------------------------ runtime configs


@pytest.mark.skipif(since_10(11), reason="the double has runtime configs")
def test_runtime_configs_before_10_11_name_the_version(engine: trt.ICudaEngine) -> None:  # noqa: F811
    with pytest.raises(trt.UnsupportedError, match=r"10\.11 or later.*10\." + str(DOUBLE_VERSION.minor)):
        engine.create_runtime_config()
    with engine.create_execution_context() as context:
        with pytest.raises(trt.UnsupportedError, match=r"10\.11"):
            context.get_runtime_config()
        with pytest.raises(AttributeError):  # an UnsupportedError is one too, for programs that probe
            context.get_runtime_config()


@needs_10_11
def test_runtime_config_default_and_setter(engine: trt.ICudaEngine) -> None:  # noqa: F811
    config = engine.create_runtime_config()
    assert config.get_execution_context_allocation_strategy() is S.STATIC
    for strategy in (S.USER_MANAGED, S.ON_PROFILE_CHANGE, S.STATIC):
        config.set_execution_context_allocation_strategy(strategy)
        assert config.get_execution_context_allocation_strategy() is strategy
    config.set_execution_context_allocation_strategy(2)  # its number, as the enum's
    assert config.get_execution_context_allocation_strategy() is S.USER_MANAGED
    config.set_execution_context_allocation_strategy()  # the official default
    assert config.get_execution_context_allocation_strategy() is S.STATIC
    assert "STATIC" in repr(config)


@needs_10_11
def test_runtime_config_bad_arguments(engine: trt.ICudaEngine) -> None:  # noqa: F811
    config = engine.create_runtime_config()
    with pytest.raises(TypeError, match="strategy must be a ExecutionContextAllocationStrategy, not str"):
        config.set_execution_context_allocation_strategy("STATIC")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="strategy"):
        config.set_execution_context_allocation_strategy(True)  # type: ignore[arg-type]
    with pytest.raises(trt.InvalidArgumentError, match="strategy must be a ExecutionContextAllocationStrategy, got 7"):
        config.set_execution_context_allocation_strategy(7)  # type: ignore[arg-type]
    # What reaches TensorRT anyway (through the C interface) is refused by it, with its reports.
    assert lib.trt_runtime_config_set_strategy(config._handle(), 7) == lib.TRT_E_INVALID_ARGUMENT
    assert "Parameter check failed" in ffi.string(lib.trt_last_error()).decode()
    assert config.get_execution_context_allocation_strategy() is S.STATIC
    with pytest.raises(TypeError):
        trt.IRuntimeConfig()


@needs_10_11
def test_context_made_with_a_config_uses_its_strategy(engine: trt.ICudaEngine) -> None:  # noqa: F811
    config = engine.create_runtime_config()
    config.set_execution_context_allocation_strategy(S.USER_MANAGED)
    for context in (engine.create_execution_context(runtime_config=config),
                    engine.create_execution_context(config)):  # the second overload, positionally
        assert context.allocation_strategy is S.USER_MANAGED
        # The double enforces the strategy: user-managed memory is taken, as for create_execution_context(USER_MANAGED).
        context.set_device_memory(np.zeros(256, np.uint8), 256)
        own = context.get_runtime_config()
        assert own.get_execution_context_allocation_strategy() is S.USER_MANAGED
        context.close()
    plain = engine.create_execution_context(runtime_config=None)
    assert plain.allocation_strategy is S.STATIC
    assert plain.get_runtime_config().get_execution_context_allocation_strategy() is S.STATIC
    static = engine.create_execution_context(S.ON_PROFILE_CHANGE)
    assert static.get_runtime_config().get_execution_context_allocation_strategy() is S.ON_PROFILE_CHANGE


@needs_10_11
def test_context_with_config_bad_arguments(engine: trt.ICudaEngine) -> None:  # noqa: F811
    config = engine.create_runtime_config()
    with pytest.raises(TypeError, match="not both"):
        engine.create_execution_context(S.USER_MANAGED, runtime_config=config)
    with pytest.raises(TypeError, match="not both"):
        engine.create_execution_context(config, runtime_config=config)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="runtime_config must be a trt_runtime.IRuntimeConfig or None, not int"):
        engine.create_execution_context(runtime_config=3)  # type: ignore[arg-type]
    config.close()
    with pytest.raises(trt.ClosedError, match="IRuntimeConfig is closed"):
        engine.create_execution_context(runtime_config=config)


@needs_10_11
def test_runtime_config_keeps_its_engine(runtime: trt.Runtime) -> None:
    gc.collect()
    base = live_objects(runtime.library.path)
    engine = runtime.deserialize(make_plan("life", TENSORS, profiles=PROFILES, device_memory_size=256))
    config = engine.create_runtime_config()
    gone = weakref.ref(engine)
    del engine
    gc.collect()
    assert gone() is not None  # the config keeps its engine
    context = gone().create_execution_context(runtime_config=config)  # type: ignore[union-attr]
    gone().close()  # type: ignore[union-attr]
    config.set_execution_context_allocation_strategy(S.ON_PROFILE_CHANGE)  # the engine's handle is closed: still fine
    assert config.get_execution_context_allocation_strategy() is S.ON_PROFILE_CHANGE
    del config, context
    gc.collect()
    assert gone() is None and live_objects(runtime.library.path) == base


@needs_10_11
def test_context_holds_its_config_and_config_its_context(runtime: trt.Runtime) -> None:
    gc.collect()
    base = live_objects(runtime.library.path)
    engine = runtime.deserialize(make_plan("hold", TENSORS, profiles=PROFILES, device_memory_size=256))
    config = engine.create_runtime_config()
    config.set_execution_context_allocation_strategy(S.ON_PROFILE_CHANGE)
    context = engine.create_execution_context(runtime_config=config)
    config.close()
    config.close()  # idempotent
    assert config.closed and repr(config) == "<trt_runtime.IRuntimeConfig closed>"
    assert context.allocation_strategy is S.ON_PROFILE_CHANGE  # the context holds the closed config's object
    own = context.get_runtime_config()
    engine.close()
    context.close()  # the context's own config keeps the context (and the engine) alive
    assert own.get_execution_context_allocation_strategy() is S.ON_PROFILE_CHANGE
    del own, context, config, engine
    gc.collect()
    assert live_objects(runtime.library.path) == base


@needs_10_11
def test_runtime_config_use_after_close(engine: trt.ICudaEngine) -> None:  # noqa: F811
    config = engine.create_runtime_config()
    with config:
        pass
    with pytest.raises(trt.ClosedError, match="IRuntimeConfig is closed"):
        config.get_execution_context_allocation_strategy()
    with pytest.raises(trt.ClosedError, match="IRuntimeConfig is closed"):
        config.set_execution_context_allocation_strategy(S.STATIC)


# ------------------------------------------------------------------ serialization configs


def test_serialization_config_flags(engine: trt.ICudaEngine) -> None:  # noqa: F811
    config = engine.create_serialization_config()
    assert config.flags == 0 and not config.get_flag(F.EXCLUDE_WEIGHTS)
    assert config.set_flag(F.EXCLUDE_LEAN_RUNTIME) is True
    assert config.flags == 2 and config.get_flag(F.EXCLUDE_LEAN_RUNTIME)
    assert config.set_flag(F.EXCLUDE_WEIGHTS) is True and config.flags == 3
    assert config.clear_flag(F.EXCLUDE_LEAN_RUNTIME) is True and config.flags == 1
    config.flags = 0
    assert config.flags == 0
    config.flags = 1 << int(F.EXCLUDE_LEAN_RUNTIME)
    assert config.get_flag(F.EXCLUDE_LEAN_RUNTIME) and repr(config) == "<trt_runtime.ISerializationConfig flags=0x2>"


def test_serialization_config_refusals(engine: trt.ICudaEngine) -> None:  # noqa: F811
    config = engine.create_serialization_config()
    with pytest.raises(trt.InvalidArgumentError, match="Parameter check failed") as info:
        config.flags = 1 << 5
    assert info.value.reports and config.flags == 0
    with pytest.raises(TypeError, match="flags must be an int"):
        config.flags = "1"  # type: ignore[assignment]
    with pytest.raises(trt.InvalidArgumentError, match="32 unsigned bits"):
        config.flags = -1
    with pytest.raises(TypeError, match="flag must be a SerializationFlag, not str"):
        config.set_flag("EXCLUDE_WEIGHTS")  # type: ignore[arg-type]
    with pytest.raises(trt.InvalidArgumentError, match="flag must be a SerializationFlag, got 9"):
        config.clear_flag(9)  # type: ignore[arg-type]
    if since_10(14):
        assert config.set_flag(F.INCLUDE_REFIT) and config.get_flag(F.INCLUDE_REFIT)
        assert config.clear_flag_nocheck(F.INCLUDE_REFIT) is True
    else:  # kINCLUDE_REFIT came in 10.14: an older library refuses it with its reports
        with pytest.raises(trt.InvalidArgumentError, match="EnumMax<SerializationFlag>"):
            config.set_flag(F.INCLUDE_REFIT)
        assert config.set_flag_nocheck(F.INCLUDE_REFIT) is False
        with pytest.raises(trt.InvalidArgumentError, match="getFlag"):  # TensorRT reports the question too
            config.get_flag(F.INCLUDE_REFIT)
        with pytest.raises(trt.InvalidArgumentError):
            config.flags = 1 << int(F.INCLUDE_REFIT)
    with pytest.raises(TypeError):
        trt.ISerializationConfig()


def test_serialize_with_config_round_trips(runtime: trt.Runtime, engine: trt.ICudaEngine) -> None:  # noqa: F811
    config = engine.create_serialization_config()
    config.set_flag(F.EXCLUDE_LEAN_RUNTIME)
    plan = engine.serialize_with_config(config)
    assert isinstance(plan, trt.IHostMemory) and plan.dtype is trt.DataType.UINT8
    assert bytes(plan) == bytes(engine.serialize())  # the fake engine has nothing to leave out
    again = runtime.deserialize(plan)
    assert again.tensor_names == engine.tensor_names
    assert again.get_tensor_profile_shape("x", 1) == engine.get_tensor_profile_shape("x", 1)
    with pytest.raises(TypeError, match="config must be a trt_runtime.ISerializationConfig, not IRuntimeConfig"
                                        if since_10(11) else "config must be"):
        engine.serialize_with_config(engine.create_runtime_config() if since_10(11) else None)  # type: ignore[arg-type]
    config.close()
    with pytest.raises(trt.ClosedError, match="ISerializationConfig is closed"):
        engine.serialize_with_config(config)
    with pytest.raises(trt.ClosedError):
        config.get_flag(F.EXCLUDE_WEIGHTS)
    config.close()  # idempotent


def test_serialization_config_keeps_its_engine(runtime: trt.Runtime) -> None:
    gc.collect()
    base = live_objects(runtime.library.path)
    engine = runtime.deserialize(make_plan("keep", TENSORS, profiles=PROFILES, device_memory_size=256))
    config = engine.create_serialization_config()
    data = bytes(engine.serialize())
    gone = weakref.ref(engine)
    del engine
    gc.collect()
    assert gone() is not None
    assert bytes(gone().serialize_with_config(config)) == data  # type: ignore[union-attr]
    del config
    gc.collect()
    assert gone() is None
    assert live_objects(runtime.library.path) == base


# ------------------------------------------------------------------ engine inspectors


def test_inspector_information(engine: trt.ICudaEngine) -> None:  # noqa: F811
    inspector = engine.create_engine_inspector()
    assert inspector.execution_context is None and inspector.error_recorder is None
    assert inspector.engine is engine and trt.IEngineInspector is trt.EngineInspector
    line = inspector.get_layer_information(0, L.ONELINE)
    assert line == "Name: copy, LayerType: FakeCopy, Inputs: [x[-1,4], flags[3]], Outputs: [y[-1,4], flags_out[3]]"
    layer = json.loads(inspector.get_layer_information(0, L.JSON))
    assert layer["Name"] == "copy" and [t["Name"] for t in layer["Inputs"]] == ["x", "flags"]
    assert layer["Outputs"][0]["Dimensions"] == [-1, 4]
    whole = json.loads(inspector.get_engine_information(L.JSON))
    assert whole == {"Layers": [layer], "Bindings": ["x", "flags", "y", "flags_out"]}
    assert inspector.get_engine_information(L.ONELINE) == line + "\nBindings: x, flags, y, flags_out"
    assert inspector.get_layer_information(0, 1) == inspector.get_layer_information(0, L.JSON)
    assert "EngineInspector of <trt_runtime.ICudaEngine 'copy'" in repr(inspector)


def test_inspector_with_a_context(engine: trt.ICudaEngine) -> None:  # noqa: F811
    inspector = engine.create_engine_inspector()
    context = engine.create_execution_context()
    context.set_input_shape("x", (2, 4))
    inspector.execution_context = context
    assert inspector.execution_context is context
    layer = json.loads(inspector.get_layer_information(0, L.JSON))
    assert layer["Inputs"][0]["Dimensions"] == [2, 4] and layer["Outputs"][0]["Dimensions"] == [2, 4]
    context.close()  # the inspector holds it while it is set
    assert json.loads(inspector.get_layer_information(0, L.JSON))["Inputs"][0]["Dimensions"] == [2, 4]
    inspector.execution_context = None
    assert json.loads(inspector.get_layer_information(0, L.JSON))["Inputs"][0]["Dimensions"] == [-1, 4]
    with pytest.raises(trt.ClosedError):
        inspector.execution_context = context


def test_inspector_bad_arguments(runtime: trt.Runtime, engine: trt.ICudaEngine) -> None:  # noqa: F811
    inspector = engine.create_engine_inspector()
    with pytest.raises(trt.InvalidArgumentError, match=r"layer_index 1 out of range \[0, 1\)"):
        inspector.get_layer_information(1, L.ONELINE)
    with pytest.raises(trt.InvalidArgumentError, match="layer_index -1"):
        inspector.get_layer_information(-1, L.ONELINE)
    with pytest.raises(TypeError, match="layer_index must be an int, not str"):
        inspector.get_layer_information("0", L.ONELINE)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="format must be a LayerInformationFormat, not str"):
        inspector.get_engine_information("JSON")  # type: ignore[arg-type]
    with pytest.raises(trt.InvalidArgumentError, match="format must be a LayerInformationFormat, got 2"):
        inspector.get_layer_information(0, 2)  # type: ignore[arg-type]
    # A format that reaches TensorRT anyway is refused by it.
    out = ffi.new("const char **")
    assert lib.trt_engine_inspector_engine_information(inspector._handle(), 2, out) == lib.TRT_E_INVALID_ARGUMENT
    with pytest.raises(TypeError, match="execution_context must be a trt_runtime.IExecutionContext or None, not int"):
        inspector.execution_context = 1  # type: ignore[assignment]
    other = runtime.deserialize(make_plan("other", TENSORS, profiles=PROFILES))
    with pytest.raises(trt.InvalidArgumentError, match="another engine"):
        inspector.execution_context = other.create_execution_context()
    assert inspector.execution_context is None
    with pytest.raises(TypeError):
        trt.EngineInspector()


def test_inspector_error_recorder(engine: trt.ICudaEngine, logger: RecordingLogger) -> None:  # noqa: F811
    inspector = engine.create_engine_inspector()
    recorder = trt.ErrorRecorder()
    inspector.error_recorder = recorder
    assert inspector.error_recorder is recorder
    out = ffi.new("const char **")
    assert lib.trt_engine_inspector_layer_information(inspector._handle(), 0, 7, out) == lib.TRT_E_INVALID_ARGUMENT
    assert recorder.num_errors() == 1 and "LayerInformationFormat" in recorder.get_error_desc(0)
    with pytest.raises(TypeError, match="error_recorder must be"):
        inspector.error_recorder = "recorder"  # type: ignore[assignment]
    inspector.error_recorder = None
    assert inspector.error_recorder is None


def test_inspector_lifetimes(runtime: trt.Runtime) -> None:
    gc.collect()
    base = live_objects(runtime.library.path)
    engine = runtime.deserialize(make_plan("insp", TENSORS, profiles=PROFILES, device_memory_size=256))
    inspector = engine.create_engine_inspector()
    inspector.execution_context = engine.create_execution_context()
    engine.close()  # the inspector holds the engine, in Python and in the shim
    assert inspector.get_layer_information(0, L.ONELINE).startswith("Name: insp")
    inspector.close()
    inspector.close()  # idempotent
    assert inspector.closed and repr(inspector) == "<trt_runtime.EngineInspector closed>"
    for use in (lambda: inspector.get_layer_information(0, L.ONELINE), lambda: inspector.get_engine_information(L.JSON),
                lambda: inspector.execution_context):
        with pytest.raises(trt.ClosedError, match="EngineInspector is closed"):
            use()
    with pytest.raises(trt.ClosedError):
        inspector.execution_context = None
    with pytest.raises(trt.ClosedError):
        inspector.error_recorder = None
    del inspector, engine
    gc.collect()
    assert live_objects(runtime.library.path) == base


def test_the_dropin_namespace_has_them() -> None:
    import trt_runtime.tensorrt as official

    for name in ("IRuntimeConfig", "ISerializationConfig", "EngineInspector", "IEngineInspector"):
        assert getattr(official, name) is getattr(trt, name) and name in official.__all__

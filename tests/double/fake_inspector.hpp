// fake_inspector.hpp: part of fake_nvinfer.cpp (included once, by it alone).
// The engine inspector: what it says about the fake engine's one layer (the
// layer the profiler reports, named after the engine, copying inputs to
// outputs), in one line or in JSON, with the shapes of a context when one is
// set. The text is the double's own, not TensorRT's format.
#pragma once

#include "fake_engine.hpp"

namespace {

// `text` as a JSON string literal.
std::string jsonString(std::string const& text)
{
    std::string out = "\"";
    for (unsigned char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
            out += escaped;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

constexpr int32_t kLayerInformationFormats = 2;  // kONELINE, kJSON

class EngineInspector final : public VEngineInspector {
public:
    EngineInspector(Engine const& engine, std::shared_ptr<Plan const> plan, std::shared_ptr<std::atomic<int32_t>> live)
        : mEngine(engine), mPlan(std::move(plan)), mEngineInspectors(std::move(live))
    {
        ++*mEngineInspectors;
    }
    ~EngineInspector() override { --*mEngineInspectors; }

    void setHandle(IEngineInspector* handle) noexcept { mHandle = handle; }
    IEngineInspector* getPImpl() noexcept override { return mHandle; }

    // nullptr: inspect the engine alone. A context of another engine is refused.
    bool setExecutionContext(IExecutionContext const* context) noexcept override
    {
        if (context != nullptr && &context->mImpl->getEngine() != &mEngine.handle()) {
            mRecorder.report(ErrorCode::kINVALID_ARGUMENT,
                "setExecutionContext: the execution context was not created from the inspected engine");
            return false;
        }
        locked(mMutex, [&] { mContext = context; });
        return true;
    }
    IExecutionContext const* getExecutionContext() const noexcept override
    {
        return locked(mMutex, [&] { return mContext; });
    }

    char const* getLayerInformation(int32_t index, LayerInformationFormat format) const noexcept override
    {
        if (!checkFormat(format)) {
            return nullptr;
        }
        if (index < 0 || index >= mEngine.getNbLayers()) {
            mRecorder.report(ErrorCode::kINVALID_ARGUMENT,
                "Parameter check failed, condition: layerIndex >= 0 && layerIndex < getNbLayers() ("
                    + std::to_string(index) + ")");
            return nullptr;
        }
        return answer([&] { return layer(format); });
    }

    char const* getEngineInformation(LayerInformationFormat format) const noexcept override
    {
        if (!checkFormat(format)) {
            return nullptr;
        }
        return answer([&] {
            std::string bindings;
            for (auto const& t : mPlan->tensors) {
                bindings += (bindings.empty() ? "" : ", ") + (json(format) ? jsonString(t.name) : t.name);
            }
            if (json(format)) {
                return "{\"Layers\": [" + layer(format) + "], \"Bindings\": [" + bindings + "]}";
            }
            return layer(format) + "\nBindings: " + bindings;
        });
    }

    void setErrorRecorder(IErrorRecorder* recorder) noexcept override { mRecorder.set(recorder); }
    IErrorRecorder* getErrorRecorder() const noexcept override { return mRecorder.get(); }

private:
    static bool json(LayerInformationFormat format) noexcept { return static_cast<int32_t>(format) == 1; }

    bool checkFormat(LayerInformationFormat format) const noexcept
    {
        int32_t f = static_cast<int32_t>(format);
        if (f >= 0 && f < kLayerInformationFormats) {
            return true;
        }
        mRecorder.report(ErrorCode::kINVALID_ARGUMENT,
            "Parameter check failed, condition: format is a LayerInformationFormat (" + std::to_string(f) + ")");
        return false;
    }

    // Keeps the text until the next call, as TensorRT does, and returns it.
    template <class Make>
    char const* answer(Make&& make) const noexcept
    {
        try {
            std::string text = make();
            std::lock_guard<std::mutex> lock(mMutex);
            mText = std::move(text);
            return mText.c_str();
        } catch (std::exception const&) {
            mRecorder.report(ErrorCode::kFAILED_ALLOCATION, "getLayerInformation: out of host memory");
            return nullptr;
        }
    }

    // The one layer: its inputs and outputs with the shapes of the context
    // set (its current ones), or the engine's (-1 for a dynamic extent).
    std::string layer(LayerInformationFormat format) const
    {
        IExecutionContext const* context = getExecutionContext();
        std::string io[2];  // inputs, outputs
        for (auto const& t : mPlan->tensors) {
            Dims64 d = context != nullptr ? context->mImpl->getTensorShape(t.name.c_str())
                                          : mEngine.getTensorShape(t.name.c_str());
            std::string& list = io[t.mode == kModeInput ? 0 : 1];
            list += list.empty() ? "" : ", ";
            list += json(format) ? "{\"Name\": " + jsonString(t.name) + ", \"Dimensions\": " + dimsText(d) + "}"
                                 : t.name + dimsText(d);
        }
        std::string name = mEngine.getName();
        if (json(format)) {
            return "{\"Name\": " + jsonString(name) + ", \"LayerType\": \"FakeCopy\", \"Inputs\": [" + io[0]
                + "], \"Outputs\": [" + io[1] + "]}";
        }
        return "Name: " + name + ", LayerType: FakeCopy, Inputs: [" + io[0] + "], Outputs: [" + io[1] + "]";
    }

    LiveCount mLive;
    Engine const& mEngine;
    std::shared_ptr<Plan const> mPlan;
    std::shared_ptr<std::atomic<int32_t>> mEngineInspectors;
    IEngineInspector* mHandle = nullptr;
    RecorderSlot mRecorder;  // none at first: errors go to the logger
    mutable std::mutex mMutex;
    IExecutionContext const* mContext = nullptr;
    mutable std::string mText;
};

IEngineInspector* Engine::createEngineInspector() const noexcept
{
    EngineInspector* impl = nullptr;
    try {
        impl = new EngineInspector(*this, mPlan, mLiveInspectors);
    } catch (std::exception const&) {
        return nullptr;
    }
    auto* handle = new (std::nothrow) Owning<IEngineInspector, EngineInspector>(impl);
    if (handle == nullptr) {
        delete impl;
        return nullptr;
    }
    impl->setHandle(handle);
    return handle;
}

}  // namespace

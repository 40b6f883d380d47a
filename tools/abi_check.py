#!/usr/bin/env python3
"""Prove the shim's own TensorRT ABI declarations against NVIDIA's public headers.

For one namespace of ours (v10 in shim/trt_abi_v10.hpp, v11 in shim/trt_abi.hpp)
and one or more release branches of NVIDIA's TensorRT repository (same major),
it checks, slot by slot, that each of our classes with a vtable agrees with the
branch: the branch's slots must be a PREFIX of ours (same name, constness,
argument and return types), and for the newest branch given, equal to ours.
A class absent from a branch is fine when ours says it arrived later.

Also checked: the `// MAJOR.N+` markers on our methods, classes and enums (the
first minor that has them), the `slot_count` and `first_minor` tables when the
header has them, the values of our enums and the layout of our plain structs.

Vtable rules (Itanium C++ ABI, single inheritance, the same as
../shared/abi/vtables.py): virtual methods take slots in declaration order, a
virtual destructor takes two (complete, deleting) where it is declared, an
override reuses its base's slot.

usage:
  tools/abi_check.py --major 10 BRANCH_DIR...          # dirs holding include/NvInferRuntime.h
  tools/abi_check.py --major 10 --git MIRROR.git       # every release/10.* branch of a git mirror
  tools/abi_check.py --major 11 --git MIRROR.git --branch release/11.1 --branch main
Needs `pip install libclang`. See tools/README.md.
"""
import argparse
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

try:
    import clang.cindex as ci
except ImportError:  # pragma: no cover
    sys.exit("abi_check.py needs libclang: pip install libclang")

K = ci.CursorKind
T = ci.TypeKind
REPO = Path(__file__).resolve().parents[1]
DEFAULTS = {"10": ("shim/trt_abi_v10.hpp", "v10"), "11": ("shim/trt_abi.hpp", "v11")}
# Our name -> NVIDIA's (qualified suffix) where they differ.
NAME_MAP = {"LogSeverity": "ILogger::Severity"}
INT_KINDS = {T.CHAR_S, T.CHAR_U, T.SCHAR, T.UCHAR, T.SHORT, T.USHORT, T.INT, T.UINT, T.LONG, T.ULONG,
             T.LONGLONG, T.ULONGLONG, T.ENUM, T.WCHAR, T.CHAR16, T.CHAR32}
MARKER = re.compile(r"//\s*(\d+)\.(\d+)\+")
# CUDA's headers are only needed for the two handle types NVIDIA's headers use.
CUDA_STUB = ("#pragma once\nstruct CUstream_st; typedef struct CUstream_st* cudaStream_t;\n"
             "struct CUevent_st; typedef struct CUevent_st* cudaEvent_t;\n")


# ------------------------------------------------------------------ parsing

def builtin_includes():
    """libclang from PyPI ships no builtin headers (stddef.h); borrow the system compiler's."""
    for cc in ("gcc", "clang"):
        if shutil.which(cc):
            out = subprocess.run([cc, "-print-file-name=include"], capture_output=True, text=True).stdout.strip()
            if out and os.path.isdir(out):
                return [out]
    return []


def parse(path, includes, unsaved=None):
    args = ["-x", "c++", "-std=c++17"] + [f"-I{d}" for d in builtin_includes() + list(includes)]
    tu = ci.Index.create().parse(str(path), args=args, unsaved_files=unsaved,
                                 options=ci.TranslationUnit.PARSE_SKIP_FUNCTION_BODIES)
    return tu, [d for d in tu.diagnostics if d.severity >= ci.Diagnostic.Error]


def strip_ns(s):
    return re.sub(r"\b[A-Za-z_]\w*::", "", s)


def norm(t):
    """Canonical spelling without namespaces and without top-level const."""
    c = t.get_canonical()
    s = strip_ns(c.spelling)
    if c.is_const_qualified():
        s = re.sub(r"\s*const$", "", s) if c.kind == T.POINTER else re.sub(r"^const ", "", s)
    return s


def abi_class(t):
    """What decides how a value is passed: equal classes are interchangeable in a vtable call."""
    c = t.get_canonical()
    k = c.kind
    if k == T.VOID:
        return "void"
    if k == T.POINTER:
        return "pointer"
    if k in (T.LVALUEREFERENCE, T.RVALUEREFERENCE):
        return "reference"
    if k == T.BOOL:
        return "bool"
    if k in INT_KINDS:
        return f"int{c.get_size() * 8}"
    if k in (T.FLOAT, T.DOUBLE, T.LONGDOUBLE):
        return f"float{c.get_size() * 8}"
    if k == T.RECORD:
        return f"struct {norm(c)} ({c.get_size()} bytes)"
    return norm(c)


class Slot:
    def __init__(self, name, cursor, dtor=False):
        self.name, self.cursor, self.dtor = name, cursor, dtor
        if dtor:
            self.const, self.args, self.ret = False, [], ("void", "void")
        else:
            self.const = cursor.is_const_method()
            self.args = [(norm(a.type), abi_class(a.type)) for a in cursor.get_arguments()]
            self.ret = (norm(cursor.result_type), abi_class(cursor.result_type))

    def key(self):  # identity for overrides
        return (self.name, tuple(a[0] for a in self.args), self.const)

    def __str__(self):
        if self.dtor:
            return self.name
        const = " const" if self.const else ""
        return f"{self.ret[0]} {self.name}({', '.join(a[0] for a in self.args)}){const}"


def collect(tu, only_ns=None):
    """Classes, enums, plain structs and the tables namespaces, by qualified name."""
    classes, enums, tables = {}, {}, {}

    def walk(c, prefix, inside):
        for ch in c.get_children():
            if ch.kind == K.NAMESPACE:
                walk(ch, prefix + ch.spelling + "::", inside or ch.spelling == only_ns)
                if inside or ch.spelling == only_ns:
                    if ch.spelling in ("slot_count", "first_minor"):
                        tables.setdefault(ch.spelling, []).extend(
                            x for x in ch.get_children() if x.kind in (K.FUNCTION_DECL, K.VAR_DECL))
            elif not (inside or only_ns is None):
                continue
            elif ch.kind in (K.CLASS_DECL, K.STRUCT_DECL) and ch.is_definition():
                classes[prefix + ch.spelling] = ch
                walk(ch, prefix + ch.spelling + "::", inside)
            elif ch.kind == K.ENUM_DECL:
                q = prefix + ch.spelling
                if ch.is_definition() or q not in enums:
                    enums[q] = ch
    walk(tu.cursor, "", only_ns is None)
    return classes, enums, tables


def base_of(c):
    bases = [ch for ch in c.get_children() if ch.kind == K.CXX_BASE_SPECIFIER]
    if len(bases) > 1:
        raise SystemExit(f"{c.spelling}: more than one base class; the slot rules here assume one")
    if not bases:
        return None
    ref = bases[0].referenced or bases[0].type.get_declaration()
    return ref.get_definition() or ref


def slots(c, memo):
    key = c.hash
    if key not in memo:
        b = base_of(c)
        table = list(slots(b, memo)) if b is not None else []
        for ch in c.get_children():
            if ch.kind == K.DESTRUCTOR and (ch.is_virtual_method() or any(s.dtor for s in table)):
                if not any(s.dtor for s in table):
                    table += [Slot("~D1", ch, True), Slot("~D0", ch, True)]
            elif ch.kind == K.CXX_METHOD and ch.is_virtual_method():
                s = Slot(ch.spelling, ch)
                if s.key() not in [x.key() for x in table]:
                    table.append(s)
        memo[key] = table
    return memo[key]


def is_plain_struct(c):
    return (any(ch.kind == K.FIELD_DECL for ch in c.get_children())
            and not any(ch.kind in (K.CXX_METHOD, K.DESTRUCTOR, K.CXX_BASE_SPECIFIER) for ch in c.get_children()))


# ------------------------------------------------------------------ branches

class Branch:
    def __init__(self, label, include):
        self.label, self.include = label, include
        text = (Path(include) / "NvInferVersion.h").read_text()
        defs = dict(re.findall(r"#define\s+(\w+)\s+(\w+)", text))

        def val(name):
            v = defs.get(name, "0")
            while not v.isdigit() and v in defs:
                v = defs[v]
            return int(v) if v.isdigit() else 0
        self.major, self.minor, self.patch = val("NV_TENSORRT_MAJOR"), val("NV_TENSORRT_MINOR"), val("NV_TENSORRT_PATCH")
        self.classes = self.enums = None

    @property
    def version(self):
        return (self.major, self.minor, self.patch)

    def load(self, cuda_inc):
        # NvInfer.h: the runtime headers plus the few enums only it defines
        top = Path(self.include) / "NvInfer.h"
        if not top.exists():
            top = Path(self.include) / "NvInferRuntime.h"
        tu, errs = parse(top, [self.include, cuda_inc])
        if errs:
            for d in errs[:5]:
                print(f"  parse error in {self.label}: {d}", file=sys.stderr)
            raise SystemExit(2)
        self.tu = tu  # keep the translation unit alive while its cursors are used
        classes, enums, _ = collect(tu)
        memo = {}
        self.classes = {}
        for q, c in classes.items():
            t = slots(c, memo)
            if t:
                self.classes.setdefault(q.split("::")[-1], []).append((q, t))
        self.enums = {}
        for q, e in enums.items():
            if e.is_definition():
                # keep the enclosing class (ILogger::Severity), drop the namespaces
                self.enums[re.sub(r"\b(nvinfer1|apiv|v_\d+_\d+)::", "", q)] = e
        self.structs = {q.split("::")[-1]: c for q, c in classes.items() if is_plain_struct(c)}

    def cls(self, name):
        cands = self.classes.get(name, [])
        return cands[0] if cands else (None, None)

    def enum(self, name):
        target = NAME_MAP.get(name, name)
        for q, e in self.enums.items():
            if q == target or q.endswith("::" + target):
                return e
        return None


def from_git(mirror, patterns, dest):
    refs = subprocess.run(["git", f"--git-dir={mirror}", "for-each-ref", "--format=%(refname:short)", "refs/heads/"],
                          capture_output=True, text=True, check=True).stdout.split()
    out = []
    for ref in refs:
        if any(fnmatch.fnmatchcase(ref, p) for p in patterns):
            d = Path(dest) / ref.replace("/", "_")
            d.mkdir(parents=True, exist_ok=True)
            arch = subprocess.run(["git", f"--git-dir={mirror}", "archive", ref, "include"], capture_output=True, check=True)
            subprocess.run(["tar", "-x", "-C", str(d)], input=arch.stdout, check=True)
            out.append((ref, str(d / "include")))
    return out


def include_dir(path):
    p = Path(path)
    return str(p / "include") if (p / "include" / "NvInferRuntime.h").exists() else str(p)


# ------------------------------------------------------------------ checks

def marker_of(cursor, major):
    """The `// MAJOR.N+` on the lines of a declaration (a class: its first line)."""
    ext = cursor.extent
    lines = SOURCE.setdefault(ext.start.file.name, Path(ext.start.file.name).read_text().splitlines())
    last = ext.start.line if cursor.kind in (K.CLASS_DECL, K.STRUCT_DECL) else ext.end.line
    for line in lines[ext.start.line - 1:last]:
        m = MARKER.search(line)
        if m and int(m.group(1)) == major:
            return int(m.group(2))
    return None


SOURCE = {}


def compare_slot(i, o, t):
    """Problems (fatal) and notes (spelling only) for one slot."""
    if o.name != t.name:
        return [f"slot {i}: ours {o} / official {t}"], []
    if o.dtor:
        return [], []
    if o.const != t.const or len(o.args) != len(t.args):
        return [f"slot {i}: ours {o} / official {t}"], []
    if o.ret[1] != t.ret[1] or any(a[1] != b[1] for a, b in zip(o.args, t.args)):
        passing = [f"{x[1]} / {y[1]}" for x, y in zip([o.ret] + o.args, [t.ret] + t.args) if x[1] != y[1]]
        return [f"slot {i}: types differ: ours {o} / official {t} ({'; '.join(passing)})"], []
    if o.ret[0] != t.ret[0] or any(a[0] != b[0] for a, b in zip(o.args, t.args)):
        return [], [f"slot {i}: spelled differently: ours {o} / official {t}"]
    return [], []


def window(present, minors):
    """Where the first minor of something lies, from the minors checked: (lo, hi) means
    lo < first <= hi (lo is -1 when the oldest branch checked has it already); None: in none."""
    if not present:
        return None
    hi = min(present)
    return max([m for m in minors if m < hi], default=-1), hi


def marker_problem(value, present, minors, major):
    """Why a first-minor claim is wrong, or None."""
    w = window(present, minors)
    if w is None:
        return None if value > max(minors) else f"in no branch given, ours says {major}.{value}"
    lo, hi = w
    if not lo < value <= hi:
        where = f"in {major}.{hi}" if lo + 1 >= hi else f"between {major}.{lo + 1} and {major}.{hi}"
        return f"first {where}; ours says {major}.{value}" + ("" if value else " (no marker)")
    gone = sorted(m for m in minors if m > hi and m not in present)
    if gone:
        return f"present in {major}.{hi}, absent again in {major}.{gone[0]}"
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("branches", nargs="*", help="folders with NVIDIA's include/ (one per release branch)")
    ap.add_argument("--major", default="10", choices=sorted(DEFAULTS), help="which of our namespaces to check")
    ap.add_argument("--ours", help="our header (default: by --major)")
    ap.add_argument("--namespace", help="our namespace (default: by --major)")
    ap.add_argument("--git", help="a git mirror of NVIDIA/TensorRT: check its branches (see --branch)")
    ap.add_argument("--branch", action="append", default=[],
                    help="branch pattern with --git (default: release/MAJOR.* and main)")
    ap.add_argument("--exact", choices=["newest", "all", "none"], default="newest",
                    help="which branches must equal ours (the others must be a prefix of ours)")
    ap.add_argument("--cuda-include", help="folder with cuda_runtime_api.h (default: a two-line stand-in)")
    ap.add_argument("-q", "--quiet", action="store_true", help="print only problems and the summary")
    ap.add_argument("-v", "--verbose", action="store_true", help="also list slots whose types are spelled differently")
    a = ap.parse_args()

    major = int(a.major)
    ours_path = Path(a.ours or REPO / DEFAULTS[a.major][0]).resolve()
    ns = a.namespace or DEFAULTS[a.major][1]
    tmp = tempfile.TemporaryDirectory(prefix="abi_check_")
    cuda_inc = a.cuda_include
    if not cuda_inc:
        cuda_inc = os.path.join(tmp.name, "cuda")
        os.makedirs(cuda_inc)
        Path(cuda_inc, "cuda_runtime_api.h").write_text(CUDA_STUB)

    specs = [(Path(b).name, include_dir(b)) for b in a.branches]
    if a.git:
        specs += from_git(a.git, a.branch or [f"release/{major}.*", "main"], os.path.join(tmp.name, "git"))
    if not specs:
        ap.error("no branch given (folders, or --git MIRROR)")
    branches = []
    for label, inc in specs:
        if not (Path(inc) / "NvInferRuntime.h").exists():
            sys.exit(f"{label}: no NvInferRuntime.h in {inc}")
        b = Branch(label, inc)
        if b.major != major:
            print(f"skip {label}: TensorRT {b.major}.{b.minor}, not {major}.x")
            continue
        branches.append(b)
    if not branches:
        sys.exit(f"no {major}.x branch among those given")
    branches.sort(key=lambda b: (b.version, b.label))
    for b in branches:
        b.load(cuda_inc)
    newest = branches[-1].version
    minors = sorted({b.minor for b in branches})
    exact = {b.label for b in branches if a.exact == "all" or (a.exact == "newest" and b.version == newest)}

    tu, errs = parse(ours_path, [str(ours_path.parent)])
    if errs:
        for d in errs[:5]:
            print(f"  parse error in {ours_path.name}: {d}", file=sys.stderr)
        return 2
    classes, enums, tables = collect(tu, ns)
    memo = {}
    ours = {q: slots(c, memo) for q, c in sorted(classes.items())}
    ours = {q: t for q, t in ours.items() if t}
    structs = {q: c for q, c in sorted(classes.items()) if is_plain_struct(c)}
    print(f"ours: {ours_path.relative_to(REPO) if REPO in ours_path.parents else ours_path} namespace {ns}; "
          f"branches: {', '.join(f'{b.label} ({b.major}.{b.minor}.{b.patch})' for b in branches)}")

    bad_pairs = pairs = 0
    problems = []          # (what, text) of markers, tables, enums, structs
    other_checked = 0
    notes = {}
    checked_classes = []
    for q, ot in ours.items():
        name = q.split("::")[-1]
        if all(b.cls(name)[0] is None for b in branches):
            print(f"skip {q}: no class {name} in any branch given (not provable from the public headers)")
            continue
        checked_classes.append(name)
        cmark = marker_of(classes[q], major) or 0
        present = {}   # slot index -> minors where present
        for b in branches:
            pairs += 1
            tq, tt = b.cls(name)
            if tq is None:
                if cmark > b.minor:
                    line = f"ok       {b.label:16} {name:26} absent (ours: {major}.{cmark}+)"
                else:
                    line = f"MISMATCH {b.label:16} {name:26} absent here, but ours has no later `// {major}.N+` marker"
                    bad_pairs += 1
                if not a.quiet or line.startswith("MISMATCH"):
                    print(line)
                continue
            probs, nts = [], []
            for i, t in enumerate(tt):
                if i >= len(ot):
                    probs.append(f"slot {i}: official {t} is past the end of ours ({len(ot)} slots)")
                    continue
                p, n = compare_slot(i, ot[i], t)
                probs += p
                nts += n
                present.setdefault(i, set()).add(b.minor)
            if b.label in exact and len(tt) != len(ot):
                probs.append(f"ours has {len(ot)} slots, official {len(tt)}: must be equal for the newest branch")
            kind = "exact" if b.label in exact else "prefix"
            if probs:
                bad_pairs += 1
                print(f"MISMATCH {b.label:16} {name:26} vs {tq} ({kind}):")
                for p in probs[:8]:
                    print("    ", p)
            elif not a.quiet:
                print(f"ok       {b.label:16} {name:26} {len(tt):3d}/{len(ot)} slots ({kind})")
            for n in nts:
                notes.setdefault(q, set()).add(n)
        # markers: the first minor of each slot
        for i, s in enumerate(ot):
            other_checked += 1
            val = max(cmark, marker_of(s.cursor, major) or 0)
            why = marker_problem(val, present.get(i, set()), minors, major)
            if why:
                problems.append(("marker", f"{name} slot {i} {s.name}: {why}"))

    # enums: presence, underlying size, values of ours
    for q, e in sorted(enums.items()):
        name = q.split("::")[-1]
        if all(b.enum(name) is None for b in branches):
            print(f"skip enum {q}: in no branch given (not provable from the public headers)")
            continue
        other_checked += 1
        mark = marker_of(e, major) or 0
        present = set()
        for b in branches:
            te = b.enum(name)
            if te is None:
                continue
            present.add(b.minor)
            if te.enum_type.get_canonical().get_size() != e.enum_type.get_canonical().get_size():
                problems.append(("enum", f"{name}: underlying type differs in {b.label}"))
            theirs = {x.spelling: x.enum_value for x in te.get_children() if x.kind == K.ENUM_CONSTANT_DECL}
            for x in e.get_children():
                if x.kind == K.ENUM_CONSTANT_DECL and theirs.get(x.spelling) != x.enum_value:
                    problems.append(("enum", f"{name}::{x.spelling} = {x.enum_value}, {b.label} has "
                                             f"{theirs.get(x.spelling, 'no such value')}"))
        why = marker_problem(mark, present, minors, major)
        if why:
            problems.append(("marker", f"enum {name}: {why}"))

    # plain structs passed by value: size and fields
    for q, c in structs.items():
        name = q.split("::")[-1]
        other_checked += 1
        ofields = [(f.spelling, c.type.get_offset(f.spelling), abi_class(f.type)) for f in c.get_children()
                   if f.kind == K.FIELD_DECL]
        for b in branches:
            tc = b.structs.get(name)
            if tc is None:
                problems.append(("struct", f"{name}: absent in {b.label}"))
                continue
            tfields = [(f.spelling, tc.type.get_offset(f.spelling), abi_class(f.type)) for f in tc.get_children()
                       if f.kind == K.FIELD_DECL]
            if tfields != ofields or tc.type.get_size() != c.type.get_size():
                problems.append(("struct", f"{name} in {b.label}: official {tfields} ({tc.type.get_size()} bytes), "
                                           f"ours {ofields} ({c.type.get_size()} bytes)"))

    # the slot_count and first_minor tables, proved by the compiler
    asserts = []
    for f in tables.get("slot_count", []):
        per_minor = {}
        for b in branches:
            tq, tt = b.cls(f.spelling)
            per_minor.setdefault(b.minor, set()).add(len(tt) if tt else 0)
        for m, counts in sorted(per_minor.items()):
            if len(counts) > 1:
                problems.append(("table", f"slot_count::{f.spelling}: branches of {major}.{m} disagree: {counts}"))
            else:
                asserts.append((f"slot_count::{f.spelling}({m}) == {counts.pop()}", "table"))
    for v in tables.get("first_minor", []):
        cls, _, meth = v.spelling.partition("_")
        present = set()
        for b in branches:
            tq, tt = b.cls(cls)
            if meth:
                if tt and any(s.name == meth for s in tt):
                    present.add(b.minor)
            elif tt or b.enum(cls) is not None:
                present.add(b.minor)
        if meth and not any(s.name == meth for q, t in ours.items() if q.split("::")[-1] == cls for s in t):
            problems.append(("table", f"first_minor::{v.spelling}: ours has no method {meth} in {cls}"))
        w = window(present, minors)
        x = f"first_minor::{v.spelling}"
        if w is None:
            asserts.append((f"{x} > {max(minors)}", "table"))
        else:
            gone = sorted(m for m in minors if m > w[1] and m not in present)
            if gone:
                problems.append(("table", f"{x}: absent again in {major}.{gone[0]}"))
            asserts.append((f"{x} <= {w[1]}" if w[0] < 0 else f"{x} > {w[0]} && {x} <= {w[1]}", "table"))
    if asserts:
        src = f'#include "{ours_path}"\nusing namespace trt_abi::{ns};\n' + "".join(
            f'static_assert({x}, "{x}");\n' for x, _ in asserts)
        probe = os.path.join(tmp.name, "tables.cpp")
        _, errs = parse(probe, [str(ours_path.parent)], unsaved=[(probe, src)])
        other_checked += len(asserts)
        for d in errs:
            problems.append(("table", f"not true: {d.spelling}"))

    for p in problems:
        print(f"MISMATCH {p[0]}: {p[1]}")
    if a.verbose:
        for q, ns_ in sorted(notes.items()):
            for n in sorted(ns_):
                print(f"note {q}: {n}")
    elif notes:
        print(f"note: {sum(len(n) for n in notes.values())} slots spell a type differently "
              f"(same passing; -v lists them)")
    nb = len(branches)
    print(f"{len(checked_classes)} classes x {nb} branches checked, {bad_pairs} mismatched; "
          f"{other_checked} markers, enums, structs and table entries checked, {len(problems)} wrong")
    return 1 if bad_pairs or problems else 0


if __name__ == "__main__":
    sys.exit(main())

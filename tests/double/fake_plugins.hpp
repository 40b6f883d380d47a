// fake_plugins.hpp: part of fake_nvinfer.cpp (included once, by it alone).
// Plugin creators and registries: the process's registry with two fake
// creators, and one empty registry per runtime whose parent it is.
#pragma once

#include "fake_common.hpp"

namespace {

// ------------------------------------------------------------ plugins
// Two creators, one of each kind the shim understands, so that the creator
// listing and the dispatch on the interface kind can be exercised.

struct EmptyFieldCollection {
    int32_t nbFields;
    void const* fields;
};
constexpr EmptyFieldCollection kNoFields{0, nullptr};

class FakeV1Creator final : public IPluginCreator {
public:
    InterfaceInfo getInterfaceInfo() const noexcept override { return {"PLUGIN CREATOR_V1", 1, 0}; }
    char const* getPluginName() const noexcept override { return "FakeV1Plugin"; }
    char const* getPluginVersion() const noexcept override { return "1"; }
    void const* getFieldNames() noexcept override { return &kNoFields; }
    void* createPlugin(char const*, void const*) noexcept override { return nullptr; }
    void* deserializePlugin(char const*, void const*, size_t) noexcept override { return nullptr; }
    void setPluginNamespace(char const* ns) noexcept override
    {
        std::lock_guard<std::mutex> lock(mMutex);
        mNamespace = ns != nullptr ? ns : "";
    }
    char const* getPluginNamespace() const noexcept override
    {
        std::lock_guard<std::mutex> lock(mMutex);
        return mNamespace.c_str();
    }

private:
    mutable std::mutex mMutex;
    std::string mNamespace;
};

// The phase argument of IPluginCreatorV3One::createPlugin: 10.x declares
// TensorRT's enum, 11.x (as the project declares it) an int32_t.
#if FAKE_TRT_MAJOR == 10
using CreatorPhase = TensorRTPhase;
#else
using CreatorPhase = int32_t;
#endif

class FakeV3Creator final : public IPluginCreatorV3One {
public:
    InterfaceInfo getInterfaceInfo() const noexcept override { return {"PLUGIN CREATOR_V3ONE", 1, 0}; }
    void* createPlugin(char const*, void const*, CreatorPhase) noexcept override { return nullptr; }
    void const* getFieldNames() noexcept override { return &kNoFields; }
    char const* getPluginName() const noexcept override { return "FakeV3Plugin"; }
    char const* getPluginVersion() const noexcept override { return "2"; }
    char const* getPluginNamespace() const noexcept override { return "fake"; }
};

// Name, version and namespace of a creator of either kind; false for a kind
// this library does not know.
struct CreatorKey {
    std::string name, version, ns;
};

bool isV1Creator(IPluginCreatorInterface const& creator)
{
    char const* kind = creator.getInterfaceInfo().kind;
    return kind != nullptr && std::strcmp(kind, "PLUGIN CREATOR_V1") == 0;
}

bool describeCreator(IPluginCreatorInterface& creator, CreatorKey& key)
{
    InterfaceInfo info = creator.getInterfaceInfo();
    auto text = [](char const* s) { return std::string(s != nullptr ? s : ""); };
    if (info.kind != nullptr && std::strcmp(info.kind, "PLUGIN CREATOR_V1") == 0) {
        auto& c = static_cast<IPluginCreator&>(creator);
        key = {text(c.getPluginName()), text(c.getPluginVersion()), text(c.getPluginNamespace())};
        return true;
    }
    if (info.kind != nullptr && std::strcmp(info.kind, "PLUGIN CREATOR_V3ONE") == 0) {
        auto& c = static_cast<IPluginCreatorV3One&>(creator);
        key = {text(c.getPluginName()), text(c.getPluginVersion()), text(c.getPluginNamespace())};
        return true;
    }
    return false;
}

// A plugin registry: the process's (holding the two fake creators) or a
// runtime's (empty, with the process's as parent). getAllCreators lists a
// registry's own creators; getAllCreatorsRecursive and getCreator also look
// in the parent while parent search is enabled. The 10.x build adds 10.x's
// V1-typed calls, which see the same creators through the V1 type.
class Registry final : public IPluginRegistry {
public:
    explicit Registry(IPluginRegistry* parent) noexcept : mParent(parent) {}

    void add(IPluginCreatorInterface* creator, char const* ns)
    {
        mEntries.push_back({creator, ns});
    }

    void setParent(IPluginRegistry* parent) noexcept
    {
        std::lock_guard<std::mutex> lock(mMutex);
        mParent = parent;
    }

    void setErrorRecorder(IErrorRecorder* const recorder) noexcept override { mRecorder.set(recorder); }
    IErrorRecorder* getErrorRecorder() const noexcept override { return mRecorder.get(); }

    bool isParentSearchEnabled() const override
    {
        std::lock_guard<std::mutex> lock(mMutex);
        return mParentSearch;
    }
    void setParentSearchEnabled(bool const enabled) override
    {
        std::lock_guard<std::mutex> lock(mMutex);
        mParentSearch = enabled;
    }

    void* loadLibrary(char const* path) noexcept override
    {
        mRecorder.report(ErrorCode::kUNSUPPORTED_STATE,
            std::string("fake_nvinfer: plugin libraries cannot be loaded: ") + (path != nullptr ? path : "(null)"));
        return nullptr;
    }
    void deregisterLibrary(void*) noexcept override {}

    bool registerCreator(IPluginCreatorInterface& creator, char const* const ns) noexcept override
    {
        CreatorKey key;
        if (!describeCreator(creator, key)) {
            InterfaceInfo info = creator.getInterfaceInfo();
            mRecorder.report(ErrorCode::kINVALID_ARGUMENT,
                std::string("registerCreator: unknown plugin creator kind '") + (info.kind ? info.kind : "(null)") + "'");
            return false;
        }
        key.ns = ns != nullptr ? ns : "";
        if (findOwn(key.name.c_str(), key.version.c_str(), key.ns.c_str()) != nullptr) {
            mRecorder.report(ErrorCode::kINVALID_ARGUMENT,
                "registerCreator: a creator of " + key.name + " version " + key.version + " in namespace '"
                    + key.ns + "' is already registered");
            return false;
        }
        if (isV1Creator(creator)) {
            // A V1 creator learns its namespace from the registry it joins.
            static_cast<IPluginCreator&>(creator).setPluginNamespace(key.ns.c_str());
        }
        try {
            std::lock_guard<std::mutex> lock(mMutex);
            mEntries.push_back({&creator, key.ns});
        } catch (std::exception const&) {
            return false;
        }
        return true;
    }

    IPluginCreatorInterface* const* getAllCreators(int32_t* const count) const noexcept override
    {
        return snapshot(count, {});
    }

    IPluginCreatorInterface* getCreator(
        char const* const name, char const* const version, char const* const ns) noexcept override
    {
        if (name == nullptr || version == nullptr) {
            return nullptr;
        }
        char const* space = ns != nullptr ? ns : "";
        if (IPluginCreatorInterface* own = findOwn(name, version, space)) {
            return own;
        }
        IPluginRegistry* parent = searchableParent();
        return parent != nullptr ? parent->getCreator(name, version, ns) : nullptr;
    }

    bool deregisterCreator(IPluginCreatorInterface const& creator) noexcept override
    {
        std::lock_guard<std::mutex> lock(mMutex);
        auto it = std::find_if(mEntries.begin(), mEntries.end(), [&](Entry const& e) { return e.creator == &creator; });
        if (it == mEntries.end()) {
            return false;
        }
        mEntries.erase(it);
        return true;
    }

    void* acquirePluginResource(char const*, void*) noexcept override { return nullptr; }
    int32_t releasePluginResource(char const*) noexcept override { return -1; }

    IPluginCreatorInterface* const* getAllCreatorsRecursive(int32_t* const count) noexcept override
    {
        FAKE_TRT_SINCE(IPluginRegistry, getAllCreatorsRecursive, noCreators(count));
        std::vector<IPluginCreatorInterface*> inherited;
        if (IPluginRegistry* parent = searchableParent()) {
            int32_t n = 0;
            IPluginCreatorInterface* const* list = parent->getAllCreatorsRecursive(&n);
            if (list != nullptr && n > 0) {
                try {
                    inherited.assign(list, list + n);
                } catch (std::exception const&) {
                    return nullptr;
                }
            }
        }
        return snapshot(count, inherited);
    }

#if FAKE_TRT_MAJOR == 10
    // 10.x's calls typed by the V1 creator (11.0 removed them). Registering
    // and deregistering are the generic calls; the lookups answer V1
    // creators only, as TensorRT 10 does.
    bool registerCreator(IPluginCreator& creator, char const* const ns) noexcept override
    {
        return registerCreator(static_cast<IPluginCreatorInterface&>(creator), ns);
    }

    bool deregisterCreator(IPluginCreator const& creator) noexcept override
    {
        return deregisterCreator(static_cast<IPluginCreatorInterface const&>(creator));
    }

    // This registry's own V1 creators (like getAllCreators, no parent).
    IPluginCreator* const* getPluginCreatorList(int32_t* const count) const noexcept override
    {
        if (count == nullptr) {
            return nullptr;
        }
        try {
            std::vector<Entry> entries = locked(mMutex, [&] { return mEntries; });
            std::vector<IPluginCreator*> list;
            for (Entry const& e : entries) {
                if (isV1Creator(*e.creator)) {  // asked with no lock held
                    list.push_back(static_cast<IPluginCreator*>(e.creator));
                }
            }
            std::lock_guard<std::mutex> lock(mMutex);
            auto same = std::find(mV1Snapshots.begin(), mV1Snapshots.end(), list);
            if (same == mV1Snapshots.end()) {
                mV1Snapshots.push_back(std::move(list));
                same = std::prev(mV1Snapshots.end());
            }
            *count = static_cast<int32_t>(same->size());
            return same->empty() ? nullptr : same->data();
        } catch (std::exception const&) {
            *count = 0;
            return nullptr;
        }
    }

    // getCreator's answer when it is a V1 creator, else null.
    IPluginCreator* getPluginCreator(
        char const* const name, char const* const version, char const* const ns) noexcept override
    {
        IPluginCreatorInterface* found = getCreator(name, version, ns);
        return found != nullptr && isV1Creator(*found) ? static_cast<IPluginCreator*>(found) : nullptr;
    }
#endif

private:
    struct Entry {
        IPluginCreatorInterface* creator;
        std::string ns;
    };

    static IPluginCreatorInterface* const* noCreators(int32_t* count) noexcept
    {
        if (count != nullptr) {
            *count = 0;
        }
        return nullptr;
    }

    IPluginRegistry* searchableParent() const noexcept
    {
        std::lock_guard<std::mutex> lock(mMutex);
        return mParentSearch ? mParent : nullptr;
    }

    // Creators are asked their name with no lock held (they may be the
    // application's); the list is copied first.
    IPluginCreatorInterface* findOwn(char const* name, char const* version, char const* ns) const
    {
        std::vector<Entry> entries;
        {
            std::lock_guard<std::mutex> lock(mMutex);
            entries = mEntries;
        }
        for (Entry const& e : entries) {
            CreatorKey key;
            if (e.ns == ns && describeCreator(*e.creator, key) && key.name == name && key.version == version) {
                return e.creator;
            }
        }
        return nullptr;
    }

    // The array handed out stays valid for the registry's lifetime, even
    // while another thread asks again: a new one is kept only when the
    // contents changed.
    IPluginCreatorInterface* const* snapshot(
        int32_t* count, std::vector<IPluginCreatorInterface*> const& inherited) const noexcept
    {
        if (count == nullptr) {
            return nullptr;
        }
        try {
            std::lock_guard<std::mutex> lock(mMutex);
            std::vector<IPluginCreatorInterface*> list;
            for (Entry const& e : mEntries) {
                list.push_back(e.creator);
            }
            for (IPluginCreatorInterface* c : inherited) {
                if (std::find(list.begin(), list.end(), c) == list.end()) {
                    list.push_back(c);
                }
            }
            auto same = std::find(mSnapshots.begin(), mSnapshots.end(), list);
            if (same == mSnapshots.end()) {
                mSnapshots.push_back(std::move(list));
                same = std::prev(mSnapshots.end());
            }
            *count = static_cast<int32_t>(same->size());
            return same->empty() ? nullptr : same->data();
        } catch (std::exception const&) {
            *count = 0;
            return nullptr;
        }
    }

    mutable std::mutex mMutex;
    IPluginRegistry* mParent;
    bool mParentSearch = true;
    std::vector<Entry> mEntries;
    mutable std::deque<std::vector<IPluginCreatorInterface*>> mSnapshots;
#if FAKE_TRT_MAJOR == 10
    mutable std::deque<std::vector<IPluginCreator*>> mV1Snapshots;  // getPluginCreatorList's
#endif
    RecorderSlot mRecorder;
};

// The process-wide registry is never destroyed: an application recorder set
// on it would otherwise be released from a static destructor, after the
// Python interpreter that implements it has gone.
Registry& processRegistry()
{
    static Registry* const registry = [] {
        static FakeV1Creator v1;
        static FakeV3Creator v3;
        auto* r = new Registry(nullptr);
        r->add(&v1, "");
        r->add(&v3, "fake");
        return r;
    }();
    return *registry;
}

}  // namespace

// The in-memory store against the storage contract (tests/support/store_contract.hpp), plus
// what is particular to it: readers never see a writer's uncommitted changes, and a second
// writer waits for the first (then gives up with Unavailable).
#include "storage/memory/memory_store.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>
#include <utility>

#include "support/store_contract.hpp"

INSTANTIATE_STORE_CONTRACT(Memory,
                           [](std::shared_ptr<const tandem::core::FieldCipher> cipher)
                               -> std::unique_ptr<tandem::core::Store> {
                             return std::make_unique<tandem::store::MemoryStore>(std::move(cipher));
                           });

namespace tandem::store {
namespace {

using core::Id;

constexpr core::Timestamp kT0 = 1767225600000;  // 2026-01-01T00:00:00Z

TEST(MemoryStore, AReaderDoesNotSeeAnotherTransactionsUncommittedWrites) {
  MemoryStore store;
  auto writer = std::move(*store.begin());
  const Id org = *writer->create_organisation({0, "Practice", "", kT0});

  auto reader = std::move(*store.begin());
  EXPECT_EQ(reader->get_organisation(org).error().code(), core::StatusCode::kNotFound);
  EXPECT_EQ(writer->get_organisation(org)->name, "Practice");  // a writer sees its own

  ASSERT_TRUE(writer->commit().is_ok());
  EXPECT_EQ(reader->get_organisation(org)->name, "Practice");  // read committed
}

TEST(MemoryStore, ASecondWriterGivesUpWithUnavailableWhileTheFirstHoldsTheSlot) {
  MemoryStore store(nullptr, MemoryStoreOptions{std::chrono::milliseconds(20)});
  auto first = std::move(*store.begin());
  ASSERT_TRUE(first->create_organisation({0, "First", "", kT0}));
  auto second = std::move(*store.begin());
  auto refused = second->create_organisation({0, "Second", "", kT0});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), core::StatusCode::kUnavailable);
  first.reset();  // rolled back: the slot is free again
  EXPECT_TRUE(second->create_organisation({0, "Second", "", kT0}));
  EXPECT_TRUE(second->commit().is_ok());
}

TEST(MemoryStore, WritersOnManyThreadsAreSerialisedAndAllLand) {
  MemoryStore store;
  Id org = 0;
  {
    auto tx = std::move(*store.begin());
    org = *tx->create_organisation({0, "Practice", "", kT0});
    ASSERT_TRUE(tx->commit().is_ok());
  }
  constexpr int kThreads = 8;
  constexpr int kEach = 25;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&store, org] {
      for (int i = 0; i < kEach; ++i) {
        auto tx = std::move(*store.begin());
        ASSERT_TRUE(tx->create_client({0, org, "Client", std::nullopt, {}, kT0}));
        ASSERT_TRUE(tx->commit().is_ok());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  auto tx = std::move(*store.begin());
  EXPECT_EQ(tx->list_clients(org, {0, 1000})->size(), static_cast<std::size_t>(kThreads * kEach));
}

TEST(MemoryStore, APageLimitBelowOneIsRefused) {
  MemoryStore store;
  auto tx = std::move(*store.begin());
  const Id org = *tx->create_organisation({0, "Practice", "", kT0});
  auto listed = tx->list_clients(org, {0, 0});
  ASSERT_FALSE(listed);
  EXPECT_EQ(listed.error().field(), "limit");
}

}  // namespace
}  // namespace tandem::store

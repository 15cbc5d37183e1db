// Splits [0, n) into contiguous blocks, one per worker thread, and runs a function on
// each; the calling thread takes the first block. Blocks keep their order, so callers
// can concatenate per-block results deterministically.
#pragma once

#include <algorithm>
#include <cstddef>
#include <thread>
#include <vector>

namespace tandem::io {

inline unsigned default_threads() {
  const unsigned hardware = std::thread::hardware_concurrency();
  return hardware == 0 ? 1U : std::min(hardware, 8U);
}

// fn(begin, end, block_index). Returns the number of blocks used.
template <class Fn>
std::size_t parallel_blocks(std::size_t n, unsigned threads, Fn&& fn) {
  const std::size_t blocks = std::max<std::size_t>(1, std::min<std::size_t>(threads, n));
  std::vector<std::thread> workers;
  workers.reserve(blocks - 1);
  for (std::size_t b = 1; b < blocks; ++b) {
    workers.emplace_back([&fn, b, blocks, n] { fn(n * b / blocks, n * (b + 1) / blocks, b); });
  }
  fn(0, n / blocks, 0);
  for (auto& worker : workers) worker.join();
  return blocks;
}

}  // namespace tandem::io

//! The table of blocks handed out to the host (`malloc`, `plugin_alloc`).
//!
//! Invariant: a block is released only when it is in this table, with the
//! layout the table holds. The host is not trusted: `free`/`plugin_free` of a
//! pointer the table does not hold (a static address, an interior pointer, a
//! block freed already) is answered by doing nothing, so no header the host
//! could have overwritten ever reaches the allocator.
//!
//! An open-addressing hash table keyed by the block's address (linear
//! probing, tombstones, power-of-two capacity). Its storage comes from the
//! global allocator and growth is fallible: when the table cannot grow, the
//! allocation that needed the room fails cleanly instead.

#![cfg_attr(
    not(feature = "module"),
    allow(dead_code, reason = "range lookups serve the module ABI's glue")
)]

use alloc::vec::Vec;

/// One live block: where it starts (the pointer the host holds), its size
/// and its alignment, which together give back its `Layout`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Block {
    /// The payload address handed to the host.
    pub addr: usize,
    /// The payload size the host asked for.
    pub size: usize,
    /// The payload alignment.
    pub align: usize,
}

/// A slot of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Empty,
    /// Was occupied; lookups probe past it.
    Removed,
    Live(Block),
}

/// The smallest table allocated (slots).
const MIN_CAPACITY: usize = 16;

/// The live blocks, by address.
#[derive(Debug, Default)]
pub struct LiveBlocks {
    slots: Vec<Slot>,
    live: usize,
    removed: usize,
}

/// The table could not grow (the allocator is out of memory).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableFull;

impl LiveBlocks {
    /// An empty table (allocates nothing until the first insert).
    pub const fn new() -> LiveBlocks {
        LiveBlocks {
            slots: Vec::new(),
            live: 0,
            removed: 0,
        }
    }

    /// How many blocks are live.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether no block is live.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Records `block` as live. Fails only when the table must grow and
    /// cannot; the caller then releases the block and reports failure.
    pub fn insert(&mut self, block: Block) -> Result<(), TableFull> {
        if (self.live + self.removed + 1) * 2 > self.slots.len() {
            self.grow()?;
        }
        let index = self.free_slot_for(block.addr);
        if self.slots[index] == Slot::Removed {
            self.removed -= 1;
        }
        self.slots[index] = Slot::Live(block);
        self.live += 1;
        Ok(())
    }

    /// The live block starting exactly at `addr`.
    pub fn get(&self, addr: usize) -> Option<Block> {
        match self.slots[self.find(addr)?] {
            Slot::Live(block) => Some(block),
            Slot::Empty | Slot::Removed => None,
        }
    }

    /// Takes the live block starting exactly at `addr` out of the table.
    pub fn remove(&mut self, addr: usize) -> Option<Block> {
        let index = self.find(addr)?;
        let Slot::Live(block) = self.slots[index] else {
            return None;
        };
        self.slots[index] = Slot::Removed;
        self.live -= 1;
        self.removed += 1;
        Some(block)
    }

    /// The live block that holds all of `addr .. addr + len` (`len` may be
    /// 0), if any: the exact start first, then a scan.
    pub fn containing(&self, addr: usize, len: usize) -> Option<Block> {
        let end = addr.checked_add(len)?;
        let holds = |block: &Block| block.addr <= addr && end <= block.addr + block.size;
        if let Some(block) = self.get(addr).filter(holds) {
            return Some(block);
        }
        self.slots.iter().find_map(|slot| match slot {
            Slot::Live(block) if holds(block) => Some(*block),
            _ => None,
        })
    }

    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    fn home(&self, addr: usize) -> usize {
        // Fibonacci hashing of the address without its always-zero low bits.
        ((addr >> 3) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) as usize & self.mask()
    }

    /// The slot holding `addr`, if live.
    fn find(&self, addr: usize) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let mut index = self.home(addr);
        for _ in 0..self.slots.len() {
            match self.slots[index] {
                Slot::Empty => return None,
                Slot::Live(block) if block.addr == addr => return Some(index),
                Slot::Live(_) | Slot::Removed => index = (index + 1) & self.mask(),
            }
        }
        None
    }

    /// The first empty or removed slot on `addr`'s probe sequence (the table
    /// always has one: it is kept at most half full).
    fn free_slot_for(&self, addr: usize) -> usize {
        let mut index = self.home(addr);
        while let Slot::Live(_) = self.slots[index] {
            index = (index + 1) & self.mask();
        }
        index
    }

    /// Rebuilds the table at twice the live count's room (dropping
    /// tombstones), without panicking when memory runs out.
    fn grow(&mut self) -> Result<(), TableFull> {
        let wanted = ((self.live + 1) * 4).max(MIN_CAPACITY).next_power_of_two();
        let mut slots = Vec::new();
        slots.try_reserve_exact(wanted).map_err(|_| TableFull)?;
        slots.resize(wanted, Slot::Empty);
        let old = core::mem::replace(&mut self.slots, slots);
        self.removed = 0;
        for slot in old {
            if let Slot::Live(block) = slot {
                let index = self.free_slot_for(block.addr);
                self.slots[index] = Slot::Live(block);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(addr: usize) -> Block {
        Block {
            addr,
            size: 32,
            align: 16,
        }
    }

    #[test]
    fn blocks_are_found_by_their_start_only() {
        let mut table = LiveBlocks::new();
        table.insert(block(4096)).unwrap();
        assert_eq!(table.get(4096), Some(block(4096)));
        assert_eq!(table.get(4096 + 16), None, "interior pointer");
        assert_eq!(table.get(0), None);
        assert_eq!(table.containing(4096 + 8, 24), Some(block(4096)));
        assert_eq!(table.containing(4096 + 8, 25), None, "runs past the end");
        assert_eq!(table.containing(usize::MAX, 2), None);
    }

    #[test]
    fn a_block_is_removed_once() {
        let mut table = LiveBlocks::new();
        table.insert(block(64)).unwrap();
        assert_eq!(table.remove(64), Some(block(64)));
        assert_eq!(table.remove(64), None, "double free");
        assert!(table.is_empty());
    }

    #[test]
    fn thousands_of_blocks_survive_growth_and_churn() {
        let mut table = LiveBlocks::new();
        for round in 0..4usize {
            for i in 0..5_000usize {
                table.insert(block((i + 1) * 16 + round * 1_000_000)).unwrap();
            }
            for i in (0..5_000usize).step_by(2) {
                assert!(table.remove((i + 1) * 16 + round * 1_000_000).is_some());
            }
        }
        assert_eq!(table.len(), 4 * 2_500);
        for round in 0..4usize {
            for i in 0..5_000usize {
                let found = table.get((i + 1) * 16 + round * 1_000_000).is_some();
                assert_eq!(found, i % 2 == 1);
            }
        }
        // Tombstones do not make the table grow without bound.
        assert!(table.slots.len() <= 4 * 4 * 2_500 * 2);
    }
}

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
    target_arch = "wasm32",
    allow(
        dead_code,
        reason = "lookups serve the module ABI's glue, realloc and the tests"
    )
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
        let slot = self.free_slot_for(block.addr).ok_or(TableFull)?;
        let reused_tombstone = *slot == Slot::Removed;
        *slot = Slot::Live(block);
        self.removed -= usize::from(reused_tombstone);
        self.live += 1;
        Ok(())
    }

    /// The live block starting exactly at `addr`.
    pub fn get(&self, addr: usize) -> Option<Block> {
        match self.slots.get(self.find(addr)?)? {
            Slot::Live(block) => Some(*block),
            Slot::Empty | Slot::Removed => None,
        }
    }

    /// Takes the live block starting exactly at `addr` out of the table.
    pub fn remove(&mut self, addr: usize) -> Option<Block> {
        let index = self.find(addr)?;
        let slot = self.slots.get_mut(index)?;
        let Slot::Live(block) = *slot else {
            return None;
        };
        *slot = Slot::Removed;
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

    /// `capacity - 1` (the capacity is a power of two; 0 when empty).
    fn mask(&self) -> usize {
        self.slots.len().saturating_sub(1)
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
            match self.slots.get(index)? {
                Slot::Empty => return None,
                Slot::Live(block) if block.addr == addr => return Some(index),
                Slot::Live(_) | Slot::Removed => index = (index + 1) & self.mask(),
            }
        }
        None
    }

    /// The first empty or removed slot on `addr`'s probe sequence (the table
    /// always has one: it is kept at most half full).
    fn free_slot_for(&mut self, addr: usize) -> Option<&mut Slot> {
        let mask = self.mask();
        let mut index = self.home(addr);
        for _ in 0..self.slots.len() {
            if !matches!(self.slots.get(index)?, Slot::Live(_)) {
                return self.slots.get_mut(index);
            }
            index = (index + 1) & mask;
        }
        None
    }

    /// Rebuilds the table at twice the live count's room (dropping
    /// tombstones), without panicking when memory runs out.
    fn grow(&mut self) -> Result<(), TableFull> {
        let wanted = ((self.live + 1) * 4).max(MIN_CAPACITY).next_power_of_two();
        let mut slots = Vec::new();
        slots.try_reserve_exact(wanted).map_err(|_| TableFull)?;
        // Filled in place rather than with `resize`, whose (unreachable
        // here) growth path would link the no_std allocation-error handler
        // and its `core::fmt` machinery into every plugin.
        for slot in slots.spare_capacity_mut().iter_mut().take(wanted) {
            slot.write(Slot::Empty);
        }
        // SAFETY: the capacity is at least `wanted` and the first `wanted`
        // elements were just initialised.
        unsafe { slots.set_len(wanted) };
        let old = core::mem::replace(&mut self.slots, slots);
        self.removed = 0;
        for slot in old {
            if let Slot::Live(block) = slot {
                *self.free_slot_for(block.addr).ok_or(TableFull)? = Slot::Live(block);
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
                table
                    .insert(block((i + 1) * 16 + round * 1_000_000))
                    .unwrap();
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

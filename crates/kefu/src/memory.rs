//! Giving freed memory back to the system.
//!
//! glibc's allocator keeps what a thread freed in that thread's arena for its next
//! allocations, and returns pages to the system only from the top of an arena. After the
//! first start's index build (hundreds of megabytes of writer buffers and merges, freed when
//! it ends) and after a busy hour, kefu's resident memory stays at its peak although little
//! of it is in use: 120 MB after starting on the small demo company, 87 MB once trimmed.
//! kefu asks for the free pages back after an index build and then once a minute.
//!
//! Between those trims, glibc's own rule kept the resident memory of a first start at a
//! million tickets swinging up to 440 MB while the live heap was far smaller: a freed block
//! mapped on its own raises the size from which blocks are mapped (up to 32 MB), so the
//! index writer's buffers and the database rows of each batch soon came from the arenas and
//! stayed there when freed. [`tune`] fixes that size at glibc's initial 128 KiB: a large
//! block is mapped when allocated and unmapped when freed.

use std::time::Duration;

/// Blocks from this size up are mapped on their own and returned to the system when freed
/// (glibc's initial `M_MMAP_THRESHOLD`, kept from moving up).
pub const MAP_FROM_BYTES: i32 = 128 * 1024;

/// Sets the allocator up as described above; call it first thing in `main`, before other
/// threads allocate. Answers whether the allocator took the setting.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn tune() -> bool {
    // SAFETY: `mallopt` takes two integers and changes only the allocator's parameters,
    // under its own lock.
    unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, MAP_FROM_BYTES) == 1 }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn tune() -> bool {
    false
}

/// How often the free pages are asked back while kefu runs.
pub const TRIM_EVERY: Duration = Duration::from_secs(60);

/// Asks the allocator to return the pages it holds free (glibc's `malloc_trim(0)`, which
/// releases the free pages of every arena, not only the top). Answers whether any came
/// back. Elsewhere (musl, other systems) it does nothing: those allocators return memory
/// by themselves or have no such call.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn give_back() -> bool {
    // SAFETY: `malloc_trim` takes no pointers and touches only the allocator's own free
    // lists, under the locks every allocation takes.
    unsafe { libc::malloc_trim(0) == 1 }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn give_back() -> bool {
    false
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::*;

    /// This process's anonymous resident memory in KiB.
    fn rss_anon_kb() -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("RssAnon:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap()
    }

    /// The tests measure the process's memory: one at a time.
    static ALONE: std::sync::Mutex<()> = std::sync::Mutex::new(());

    #[test]
    fn large_blocks_go_back_when_freed_even_after_a_larger_one_did() {
        let _alone = ALONE.lock().unwrap_or_else(|e| e.into_inner());
        assert!(tune(), "glibc refused the setting");
        // Left alone, freeing this mapped block would have glibc serve every block up to
        // 8 MiB from the arenas from now on, and keep them there when freed.
        drop(std::hint::black_box(vec![7u8; 8 << 20]));
        let before = rss_anon_kb();
        let blocks: Vec<Vec<u8>> = (0..64).map(|i| vec![i as u8 + 1; 1 << 20]).collect();
        let above = vec![1u8; 1024];
        let held = rss_anon_kb();
        drop(blocks);
        let after = rss_anon_kb();
        assert_eq!(above[0], 1);
        assert!(
            held.saturating_sub(before) > 48 * 1024,
            "{before} → {held} KiB"
        );
        assert!(
            held.saturating_sub(after) > 48 * 1024,
            "64 MiB freed, {held} → {after} KiB resident"
        );
    }

    #[test]
    fn freed_pages_below_a_live_allocation_come_back() {
        let _alone = ALONE.lock().unwrap_or_else(|e| e.into_inner());
        // 64 MiB in small blocks, then one block above them that stays: glibc cannot give
        // the blocks' pages back by shrinking the top of the heap once they are freed.
        let blocks: Vec<Vec<u8>> = (0..65_536).map(|i| vec![i as u8; 1024]).collect();
        let above = vec![1u8; 1024];
        let before = rss_anon_kb();
        drop(blocks);
        let freed = rss_anon_kb();
        assert!(give_back(), "nothing came back");
        let after = rss_anon_kb();
        assert_eq!(above[0], 1);
        // Most of the 64 MiB stays resident after the free, and leaves with the trim.
        assert!(
            before.saturating_sub(freed) < 16 * 1024,
            "{before} → {freed} KiB"
        );
        assert!(
            freed.saturating_sub(after) > 48 * 1024,
            "{freed} → {after} KiB"
        );
    }
}

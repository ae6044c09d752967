//! The process' memory allocator (mimalloc) and its settings for batch work on large frames.
//!
//! Polars allocates and frees many short-lived buffers from several threads, where glibc's
//! malloc spends a tenth of synth's time and keeps freed memory; Polars' own Python package
//! ships a replacement allocator for the same reason. Two of mimalloc's defaults suit a
//! long-running service better than a batch run, and are changed in [`tune`]: with the defaults a
//! national `run --all` spent a sixth of its CPU samples in the kernel zeroing pages
//! (`clear_page_erms` under `do_huge_pmd_anonymous_page`, by `perf`); the run's time and peak
//! memory either way are in bench/HISTORY.md, "Choices in the code".

/// The allocator of every allocation in the process.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` of mimalloc.h (v2 and v3; its Rust bindings have no name for it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// mimalloc's purge delay for a run (milliseconds): freed memory goes back to the system ten
/// seconds after it is freed, not one.
const RUN_PURGE_DELAY_MS: std::ffi::c_long = 10_000;

/// Whether [`tune`] set the purge delay (the user had not): only then does [`purging`] change it.
static DELAY_TUNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Sets, for this process:
/// - mimalloc's purge delay to [`RUN_PURGE_DELAY_MS`]. By default mimalloc returns freed memory
///   to the system a second after it is freed, and a moment later Polars allocates the next
///   batch's buffers, which the kernel must zero again. Never returning it (-1) was about 2 s
///   faster in a national `run --all`, but what one analysis had freed stayed with the process
///   through the next ones: it peaked about 0.5 GB higher, and the first run on new registers
///   over 4 GiB (bench/HISTORY.md);
/// - transparent huge pages off (`PR_SET_THP_DISABLE`, what mimalloc's `MIMALLOC_ALLOW_THP=0`
///   does, but mimalloc reads that only as the process starts): with them each first touch of
///   new memory zeroes 2 MiB, also for a buffer that uses a fraction of it.
///
/// A user's own `MIMALLOC_PURGE_DELAY` or `MIMALLOC_ALLOW_THP` is left in force.
pub fn tune() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets one of mimalloc's option values; every value is valid for this option,
        // and mimalloc reads it again at each purge.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, RUN_PURGE_DELAY_MS) };
        DELAY_TUNED.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    #[cfg(target_os = "linux")]
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
        // SAFETY: `prctl` with integer arguments only; it changes the process' huge-page flag.
        unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
    }
}

/// mimalloc's own purge delay (milliseconds; src/options.c of v2 and v3 alike).
const DEFAULT_PURGE_DELAY_MS: std::ffi::c_long = 1000;

/// While alive, freed memory goes back to the system after mimalloc's default delay again, as
/// before [`tune`] (unless the user set the delay); dropped, the delay is what it was. For the
/// validation of a registers folder: its scans of whole registers free large buffers on one
/// thread that the next scan allocates on another, and with purging off they stayed with the
/// process, so that the first run on new registers at national volume peaked at nearly twice the
/// memory (bench/HISTORY.md; the warm runs, with no validation, peak alike either way). Also for
/// `synth`, whose yearly event rows are built on one thread and freed on another alike.
pub struct Purging {
    previous: std::ffi::c_long,
}

/// See [`Purging`].
pub fn purging() -> Purging {
    // SAFETY: reads and sets one of mimalloc's option values; every value is valid for this
    // option, and mimalloc reads it again at each purge.
    let previous = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
    if DELAY_TUNED.load(std::sync::atomic::Ordering::Relaxed) {
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, DEFAULT_PURGE_DELAY_MS) };
    }
    Purging { previous }
}

impl Drop for Purging {
    fn drop(&mut self) {
        // SAFETY: as in `purging`.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, self.previous) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Option 15 is mimalloc's purge delay: before [`tune`] it reads mimalloc's documented
    /// default (1000 ms in v3, src/options.c) or the user's `MIMALLOC_PURGE_DELAY`; after, ten
    /// seconds, unless the user's value is left in force. Transparent huge pages are off as
    /// the kernel reports it (`PR_GET_THP_DISABLE`), unless the user set `MIMALLOC_ALLOW_THP`.
    /// One test for both, since both read and set the process' one option value.
    #[test]
    fn tune_turns_purging_and_huge_pages_off_unless_the_user_set_them() {
        let user_delay = std::env::var("MIMALLOC_PURGE_DELAY").ok();
        let default_delay = user_delay.as_deref().map_or(1000, |v| {
            v.trim().parse().expect("a number of milliseconds")
        });
        // SAFETY: reads an option value.
        let before = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        assert_eq!(before, default_delay);
        tune();
        let after = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        assert_eq!(after, if user_delay.is_some() { before } else { 10_000 });
        let delay = || unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        {
            let _purging = purging();
            let expected = if user_delay.is_none() {
                DEFAULT_PURGE_DELAY_MS
            } else {
                after
            };
            assert_eq!(delay(), expected, "purging again while validating");
        }
        assert_eq!(
            delay(),
            after,
            "the run's setting once the validation is done"
        );
        #[cfg(target_os = "linux")]
        if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
            // SAFETY: `prctl` with integer arguments only; it reads the process' flag.
            let disabled = unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) };
            assert_eq!(disabled, 1);
        }
    }
}

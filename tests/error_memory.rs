//! An error costs about the size of its body, not the size of the body
//! parsed: a 4 MiB error body of `[0,0,...]` was about 64 MB as a
//! `serde_json::Value`, once in the generated code and once in the error.
//! Allocations are counted by a global allocator of this test binary, which
//! therefore holds a single test.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use talktohumans::{Error, fuzzing};

struct Counting;

static HELD: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let held = HELD.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(held, Ordering::Relaxed);
        // SAFETY: the caller's layout, passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        HELD.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's pointer and layout, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            let held = HELD.fetch_add(new_size - layout.size(), Ordering::Relaxed)
                + (new_size - layout.size());
            PEAK.fetch_max(held, Ordering::Relaxed);
        } else {
            HELD.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        // SAFETY: the caller's pointer, layout and size, passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[test]
fn an_error_costs_a_small_multiple_of_its_body() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    // Under the default 4 MiB limit, with a message to find at its end.
    let mut body = b"{\"data\":[".to_vec();
    while body.len() < 4 * 1024 * 1024 - 64 {
        body.extend_from_slice(b"0,");
    }
    body.extend_from_slice(b"0],\"message\":\"quota \\u001b[2J\"}");
    let size = body.len();
    // The call copies the canned body once, into the response it keeps.
    let before = HELD.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let error = runtime
        .block_on(fuzzing::decode(503, &[], &body))
        .unwrap()
        .unwrap_err();
    let shown = error.to_string();
    let held = HELD.load(Ordering::Relaxed) - before;
    let peak = PEAK.load(Ordering::Relaxed) - before;
    let Error::Api(api) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(api.response().body().len(), size);
    assert_eq!(api.message(), Some("quota \u{1b}[2J"));
    assert!(shown.contains("quota \\u{1b}[2J"), "{shown}");
    assert!(
        held <= 2 * size,
        "the error holds {held} bytes for a body of {size}"
    );
    assert!(
        peak <= 3 * size,
        "making and showing the error took {peak} bytes at its peak for a body of {size}"
    );
    drop(error);
}

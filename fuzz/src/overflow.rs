//! Stack overflows as crashes libFuzzer records, without a sanitizer.
//!
//! libFuzzer's own `SIGSEGV` handler runs on the stack that overflowed, so a stack overflow
//! kills the process before it can save the input (under AddressSanitizer, ASan catches it, but
//! the targets run about nine times slower). Rust's own handler is not installed either: a
//! libFuzzer binary's `main` is libFuzzer's. So the targets install one: on `SIGSEGV` or `SIGBUS`
//! it runs on an alternate stack, says what happened and aborts, and libFuzzer's `SIGABRT`
//! handler (running on that same alternate stack) saves the input as a crash.

#![allow(unsafe_code, reason = "signal handling: sigaction, sigaltstack, mmap")]

use std::cell::RefCell;
use std::sync::Once;

/// The alternate stack of each thread: room for libFuzzer's crash report.
const ALT_STACK: usize = 256 * 1024;

extern "C" fn on_fault(signal: libc::c_int, _: *mut libc::siginfo_t, _: *mut libc::c_void) {
    let message: &[u8] = if signal == libc::SIGBUS {
        b"\n==concord-fuzz== SIGBUS: aborting so that libFuzzer saves the input\n"
    } else {
        b"\n==concord-fuzz== SIGSEGV: a stack overflow (safe Rust has no other), aborting so that libFuzzer saves the input\n"
    };
    // SAFETY: write(2) and abort(3) are async-signal-safe.
    unsafe {
        libc::write(2, message.as_ptr().cast(), message.len());
        libc::abort();
    }
}

/// Installs the handler (once per process) and an alternate signal stack for this thread, kept
/// until the thread ends.
pub fn catch_stack_overflow() {
    static HANDLER: Once = Once::new();
    thread_local! {
        static ALT: RefCell<Option<AltStack>> = const { RefCell::new(None) };
    }
    HANDLER.call_once(|| {
        for signal in [libc::SIGSEGV, libc::SIGBUS] {
            // SAFETY: a zeroed sigaction is valid; the handler is async-signal-safe.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_fault as *const () as usize;
                action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(signal, &action, std::ptr::null_mut());
            }
        }
    });
    ALT.with(|alt| {
        let mut alt = alt.borrow_mut();
        if alt.is_none() {
            *alt = AltStack::new();
        }
    });
}

/// This thread's alternate signal stack, taken down when dropped (at the thread's end).
struct AltStack {
    stack: *mut libc::c_void,
}

impl AltStack {
    fn new() -> Option<AltStack> {
        // SAFETY: a fresh private anonymous mapping, handed to sigaltstack until the drop.
        unsafe {
            let flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS;
            let stack = libc::mmap(std::ptr::null_mut(), ALT_STACK, libc::PROT_READ | libc::PROT_WRITE, flags, -1, 0);
            if stack == libc::MAP_FAILED {
                return None;
            }
            let ss = libc::stack_t { ss_sp: stack, ss_flags: 0, ss_size: ALT_STACK };
            if libc::sigaltstack(&ss, std::ptr::null_mut()) != 0 {
                libc::munmap(stack, ALT_STACK);
                return None;
            }
            Some(AltStack { stack })
        }
    }
}

impl Drop for AltStack {
    fn drop(&mut self) {
        // SAFETY: no signal handler runs on it now (we are in ordinary code on this thread).
        unsafe {
            let ss = libc::stack_t { ss_sp: std::ptr::null_mut(), ss_flags: libc::SS_DISABLE, ss_size: ALT_STACK };
            libc::sigaltstack(&ss, std::ptr::null_mut());
            libc::munmap(self.stack, ALT_STACK);
        }
    }
}

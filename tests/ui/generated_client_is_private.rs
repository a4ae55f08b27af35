// The generated client would send unchecked bodies: it is private.
fn main() {
    let _ = talktohumans::generated::Client::new;
}

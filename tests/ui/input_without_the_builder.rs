// An input is made by `build`, which checks every rule; it has no public
// fields and no public constructor, so a struct literal does not compile.
fn main() {
    let _ = talktohumans::UpdateContactInput {};
}

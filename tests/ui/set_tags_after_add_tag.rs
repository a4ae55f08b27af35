fn update(client: &talktohumans::Client) {
    let _ = client.update_contact("1").add_tag("a").set_tags(["b"]);
}

fn main() {}

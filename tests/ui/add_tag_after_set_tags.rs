fn update(client: &talktohumans::Client) {
    let _ = client.update_contact("1").set_tags(["a"]).add_tag("b");
}

fn main() {}

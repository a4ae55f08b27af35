fn update(client: &talktohumans::Client) {
    let _ = client.update_contact("1").clear_tags().remove_tag("a");
}

fn main() {}

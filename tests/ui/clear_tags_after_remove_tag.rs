fn update(client: &talktohumans::Client) {
    let _ = client.update_contact("1").remove_tag("a").clear_tags();
}

fn main() {}

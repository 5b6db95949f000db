#[sdn_pdk::sdn_plugin]
struct Echo;

fn main() {}

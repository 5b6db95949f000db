struct Echo;

#[sdn_pdk::sdn_plugin]
impl Echo {
    fn new() -> Self {
        Echo
    }
}

fn main() {}

struct Echo;

#[sdn_pdk::sdn_plugin]
impl Clone for Echo {
    fn clone(&self) -> Self {
        Echo
    }
}

fn main() {}

//! The trait may be named by its full path.
struct Full;

#[sdn_pdk::sdn_plugin]
impl sdn_pdk::Plugin for Full {
    fn init(_config: &[u8]) -> Result<Self, sdn_pdk::Error> {
        Ok(Full)
    }

    fn public_key(&self, _out: &mut sdn_pdk::Output<'_>) -> Result<(), sdn_pdk::Error> {
        Err(sdn_pdk::Error::UNSUPPORTED)
    }

    fn metadata(&self, _out: &mut sdn_pdk::Output<'_>) -> Result<(), sdn_pdk::Error> {
        Ok(())
    }

    fn handle_request(
        &mut self,
        request: &sdn_pdk::Request<'_>,
        out: &mut sdn_pdk::Output<'_>,
    ) -> Result<(), sdn_pdk::Error> {
        out.write(request.body())
    }
}

fn main() {}

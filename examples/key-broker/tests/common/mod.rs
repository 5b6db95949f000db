//! The independent SKB1 test vector (`data/key-broker-vector.json`), shared
//! by the integration tests of this crate.

use serde_json::Value;

const VECTOR: &str = include_str!("../data/key-broker-vector.json");

/// The vector, field by field.
pub struct Vector(Value);

impl Vector {
    /// Parses the vector.
    pub fn load() -> Self {
        Self(serde_json::from_str(VECTOR).unwrap())
    }

    /// A hex field.
    pub fn bytes(&self, field: &str) -> Vec<u8> {
        hex::decode(self.0[field].as_str().unwrap()).unwrap()
    }

    /// A number field.
    pub fn u64(&self, field: &str) -> u64 {
        self.0[field].as_u64().unwrap()
    }
}

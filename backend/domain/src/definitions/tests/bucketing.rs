use super::*;

const SDK_EVALUATIONS: &str = include_str!("../../../tests/fixtures/split/sdk_evaluations.json");

/// Published MurmurHash3 x86_32 vectors (SMHasher), seen through `hash % 100 + 1`.
#[test]
fn buckets_follow_the_published_murmur3_x86_32_vectors() {
    let seed_9747b28c = -1_756_908_916; // 0x9747b28c as a signed 32-bit seed
    assert_eq!(bucket("", 0), 1); // hash 0
    assert_eq!(bucket("", 1), 28); // hash 0x514E28B7
    assert_eq!(bucket("", -1), 14); // hash 0x81F16F39 (seed 0xffffffff)
    assert_eq!(bucket("Hello, world!", seed_9747b28c), 15); // hash 0x24884CBA
    assert_eq!(
        bucket("The quick brown fox jumps over the lazy dog", seed_9747b28c),
        34 // hash 0x2FA826CD
    );
}

#[test]
fn buckets_equal_the_node_sdk_for_1500_keys_and_seeds() {
    let fixture: Value = serde_json::from_str(SDK_EVALUATIONS).unwrap();
    let vectors = fixture["buckets"].as_array().unwrap();
    assert_eq!(vectors.len(), 1500);
    for vector in vectors {
        let key = vector[0].as_str().unwrap();
        let seed = i32::try_from(vector[1].as_i64().unwrap()).unwrap();
        let expected = u8::try_from(vector[2].as_u64().unwrap()).unwrap();
        assert_eq!(bucket(key, seed), expected, "key {key:?} seed {seed}");
    }
}

#[test]
fn buckets_stay_between_1_and_100() {
    for i in 0..2000 {
        let b = bucket(&format!("key-{i}"), i * 7919);
        assert!((1..=100).contains(&b));
    }
}

#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| milestone_dash::fuzzing::bundle_yaml(data));

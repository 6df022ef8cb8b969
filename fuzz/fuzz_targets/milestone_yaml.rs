#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| milestone_dash::fuzzing::milestone_yaml(data));

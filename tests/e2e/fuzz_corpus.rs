//! Every kept fuzz input and every past crash, replayed through the fuzz
//! targets' bodies on stable: CI runs what the fuzzers found worth keeping.

use std::path::Path;

use hcs_research_index::fuzz::TARGETS;

fn inputs(folder: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn every_corpus_input_and_past_crash_passes_its_target() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    for (name, target) in TARGETS {
        let corpus = inputs(&root.join("corpus").join(name));
        let regressions = inputs(&root.join("regressions").join(name));
        let mut replayed = 0;
        for path in corpus.iter().chain(&regressions) {
            // A fuzzer running beside the tests replaces files as it shrinks them.
            let Ok(data) = std::fs::read(path) else {
                continue;
            };
            replayed += 1;
            // A panic names the target and the input that caused it.
            let outcome = std::panic::catch_unwind(|| target(&data));
            assert!(outcome.is_ok(), "{name}: {} fails", path.display());
        }
        assert!(replayed > 0, "fuzz/corpus/{name} is empty");
        eprintln!(
            "fuzz corpus {name}: {replayed} inputs replayed ({} regressions)",
            regressions.len()
        );
    }
}

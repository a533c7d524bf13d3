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
        assert!(!corpus.is_empty(), "fuzz/corpus/{name} is empty");
        for path in corpus.iter().chain(&regressions) {
            let data = std::fs::read(path).expect("readable input");
            // A panic names the target and the input that caused it.
            let outcome = std::panic::catch_unwind(|| target(&data));
            assert!(outcome.is_ok(), "{name}: {} fails", path.display());
        }
        eprintln!(
            "fuzz corpus {name}: {} inputs, {} regressions",
            corpus.len(),
            regressions.len()
        );
    }
}

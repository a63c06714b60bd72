//! Every `$ accord ...` example in the README runs as written and prints what the README shows.
//! An expected output ending in a `...` line only has to match its beginning.

use std::process::Command;

use crate::root;

#[test]
fn readme_examples_print_what_the_readme_shows() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut examples = 0;
    for block in readme.split("```console\n").skip(1) {
        let block = block.split("```").next().unwrap();
        let mut lines = block.lines().peekable();
        while let Some(line) = lines.next() {
            let Some(command) = line.strip_prefix("$ accord ") else {
                panic!("console blocks hold `$ accord ...` lines and their output, found `{line}`");
            };
            let mut expected = Vec::new();
            while let Some(next) = lines.peek() {
                if next.starts_with("$ ") {
                    break;
                }
                expected.push(lines.next().unwrap());
            }
            let output = Command::new(env!("CARGO_BIN_EXE_accord"))
                .args(command.split_whitespace())
                .current_dir(root())
                .output()
                .unwrap();
            let actual = String::from_utf8(output.stdout).unwrap();
            let actual: Vec<&str> = actual.lines().collect();
            let expected_text = expected.join("\n");
            match expected.split_last() {
                Some((&"...", head)) => assert!(
                    actual.starts_with(head),
                    "`accord {command}` no longer starts with what the README shows:\n{}",
                    actual.join("\n")
                ),
                _ => assert_eq!(
                    actual.join("\n"),
                    expected_text,
                    "`accord {command}` prints something else than the README shows"
                ),
            }
            examples += 1;
        }
    }
    assert!(examples >= 5, "only {examples} README examples found");
}

//! utoipa names a schema after its type alone, so two API types of the same name in
//! different modules become one component: the second silently replaces the first, and an
//! operation then documents a body it never sends. Every type the document names must have
//! a name of its own.

use std::collections::BTreeMap;
use std::path::Path;

/// The names of the types deriving `ToSchema` under `dir`, each with the files declaring it.
fn schema_types(dir: &Path, out: &mut BTreeMap<String, Vec<String>>) {
    for entry in std::fs::read_dir(dir).expect("the source directory") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            schema_types(&path, out);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("a source file");
        let mut derives_schema = false;
        for line in text.lines().map(str::trim) {
            if line.starts_with("#[derive(") {
                derives_schema = line.contains("ToSchema");
                continue;
            }
            if line.starts_with("#[") || line.starts_with("///") {
                continue;
            }
            if derives_schema {
                let name = ["pub struct ", "pub enum ", "struct ", "enum "]
                    .iter()
                    .find_map(|p| line.strip_prefix(p))
                    .and_then(|rest| rest.split([' ', '{', '(', '<', ';']).next());
                if let Some(name) = name {
                    out.entry(name.to_owned())
                        .or_default()
                        .push(path.display().to_string());
                }
            }
            derives_schema = false;
        }
    }
}

#[test]
fn every_api_schema_has_a_name_of_its_own() {
    let mut types = BTreeMap::new();
    schema_types(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut types,
    );
    assert!(types.len() > 50, "{} schema types found", types.len());
    let shared: Vec<_> = types.iter().filter(|(_, files)| files.len() > 1).collect();
    assert!(shared.is_empty(), "schema names used twice: {shared:?}");
}

//! Prints a text's sentences as the library splits them, one JSON object a line
//! (`{"n": 1, "text": "…"}`): the units the extraction evaluation labels
//! (`cargo run -p etablera-library --example sentences -- FILE.txt`).

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: sentences FILE.txt");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(1)
    });
    for (i, s) in etablera_library::sentences::split(&text).iter().enumerate() {
        println!("{}", serde_json::json!({"n": i + 1, "text": s.text}));
    }
}

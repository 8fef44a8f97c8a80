//! Prints a PDF's text as the library reads it: pages separated by form feeds, paragraphs
//! by blank lines (`cargo run -p etablera-pdf --example pdftext -- FILE.pdf`).

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: pdftext FILE.pdf");
        std::process::exit(2);
    };
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(1)
    });
    match etablera_pdf::pages(&bytes, &etablera_pdf::Limits::default()) {
        Ok(pages) => print!("{}", pages.join("\u{c}")),
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1)
        }
    }
}

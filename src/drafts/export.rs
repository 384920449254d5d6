//! A thread as text to publish or keep: numbered posts (1/n) and a Markdown export.

/// The posts numbered the way threads are read: "1/3 …".
pub fn numbered_posts(contents: &[&str]) -> Vec<String> {
    let total = contents.len();
    contents
        .iter()
        .enumerate()
        .map(|(i, text)| format!("{}/{total} {text}", i + 1))
        .collect()
}

/// Plain text: numbered posts separated by blank lines, ready to paste.
pub fn plain_text(contents: &[&str]) -> String {
    numbered_posts(contents).join("\n\n")
}

/// Markdown: the title as a heading, then each post as a numbered section with its author.
pub fn markdown(title: &str, posts: &[(&str, &str)]) -> String {
    let mut out = format!("# {title}\n");
    let total = posts.len();
    for (i, (author, text)) in posts.iter().enumerate() {
        out.push_str(&format!("\n**{}/{total}** · @{author}\n\n{text}\n", i + 1));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_posts_one_of_n() {
        assert_eq!(
            numbered_posts(&["a", "b", "c"]),
            vec!["1/3 a", "2/3 b", "3/3 c"]
        );
        assert_eq!(plain_text(&["a", "b"]), "1/2 a\n\n2/2 b");
        assert_eq!(plain_text(&[]), "");
    }

    #[test]
    fn markdown_keeps_authors() {
        assert_eq!(
            markdown("Launch", &[("ada", "We shipped."), ("bob", "Thanks all.")]),
            "# Launch\n\n**1/2** · @ada\n\nWe shipped.\n\n**2/2** · @bob\n\nThanks all.\n"
        );
    }
}

//! Markup for the dashboard's read-only tables and charts, written as one
//! escaped string and set as an element's `inner_html`: a page of 50 rows
//! or a history of hundreds of events becomes one DOM update, and the
//! bundle carries one small writer instead of a view type per row.
//!
//! Owns escaping: every text and attribute value goes through [`Html::text`]
//! or [`Html::open`]. Must never hold an event handler (those stay in Leptos
//! views, or are delegated from a containing element).

/// An HTML fragment being written.
#[derive(Default)]
pub struct Html(String);

/// Appends `s` with the five characters that matter in text and in quoted
/// attribute values replaced by entities.
fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

impl Html {
    pub fn new() -> Html {
        Html(String::with_capacity(4096))
    }

    /// `<tag a="v" …>`, values escaped. Attribute names are the caller's
    /// constants, never data.
    pub fn open(&mut self, tag: &str, attrs: &[(&str, &str)]) -> &mut Html {
        self.0.push('<');
        self.0.push_str(tag);
        for (name, value) in attrs {
            self.0.push(' ');
            self.0.push_str(name);
            self.0.push_str("=\"");
            escape_into(&mut self.0, value);
            self.0.push('"');
        }
        self.0.push('>');
        self
    }

    /// `<tag …/>` for SVG's empty elements.
    pub fn empty(&mut self, tag: &str, attrs: &[(&str, &str)]) -> &mut Html {
        self.open(tag, attrs);
        self.0.insert(self.0.len() - 1, '/');
        self
    }

    pub fn close(&mut self, tag: &str) -> &mut Html {
        self.0.push_str("</");
        self.0.push_str(tag);
        self.0.push('>');
        self
    }

    /// Escaped text.
    pub fn text(&mut self, s: &str) -> &mut Html {
        escape_into(&mut self.0, s);
        self
    }

    /// `<tag attrs>text</tag>`.
    pub fn element(&mut self, tag: &str, attrs: &[(&str, &str)], text: &str) -> &mut Html {
        self.open(tag, attrs).text(text).close(tag)
    }

    /// A dashboard table up to its body: `headings` writes the `<th>`s; the
    /// caller then writes the rows and closes with [`Html::end_table`].
    pub fn begin_table(&mut self, testid: &str, headings: impl FnOnce(&mut Html)) -> &mut Html {
        self.open(
            "table",
            &[("class", "dashboard__table"), ("data-testid", testid)],
        )
        .open("thead", &[])
        .open("tr", &[]);
        headings(self);
        self.close("tr").close("thead").open("tbody", &[])
    }

    pub fn end_table(&mut self) -> &mut Html {
        self.close("tbody").close("table")
    }

    pub fn finish(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_cannot_break_out() {
        let mut h = Html::new();
        h.open("a", &[("href", "#/x\" onclick=\"alert(1)")])
            .text("<img src=x onerror=alert(1)> & 'q'")
            .close("a");
        assert_eq!(
            h.finish(),
            "<a href=\"#/x&quot; onclick=&quot;alert(1)\">&lt;img src=x onerror=alert(1)&gt; &amp; &#39;q&#39;</a>"
        );
    }

    #[test]
    fn empty_elements_self_close() {
        let mut h = Html::new();
        h.empty("rect", &[("x", "1")]).element("text", &[], "t");
        assert_eq!(h.finish(), "<rect x=\"1\"/><text>t</text>");
    }
}

//! When a tag name is blank, stated independently of the crate: shared by the
//! property tests (`tests/fuzz_properties.rs`) and the fuzz targets (`fuzz/`).

/// White space for ECMAScript's `\s`, which the spec's `\S` pattern uses:
/// unlike Unicode's, it has U+FEFF and not U+0085.
pub fn is_ecmascript_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

/// Blank for Unicode (the crate's own check) or for ECMAScript (the
/// generated pattern check): refused either way.
pub fn is_blank(name: &str) -> bool {
    name.chars().all(char::is_whitespace) || name.chars().all(is_ecmascript_space)
}

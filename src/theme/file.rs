//! The user's `theme.toml`: a built-in theme to start from and styles for roles.
//!
//! ```toml
//! base = "light"                       # or "dark", the default
//!
//! [styles]
//! incoming = { fg = "cyan", bold = true }
//! json-key = { fg = "#005f87" }
//! mode = { fg = "white", bg = 25 }     # a 256-colour index
//! ```
//!
//! A style names only what changes: `fg` and `bg` (a colour name, `#rrggbb`, a
//! 0–255 index, or `"reset"` for the terminal's own), and `bold`, `dim`, `italic`,
//! `underlined`, `reversed` (`true` adds, `false` removes). Every mistake — an
//! unknown key, role or colour — is an error naming the line and column.

use std::ops::Range;
use std::path::Path;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::file_mistake::{FileMistake, read_if_present};

use super::palette::Theme;
use super::role::Role;

/// The file's name in the configuration directory.
pub const THEME_FILE: &str = "theme.toml";

/// The built-in themes `base` can name.
const BASES: [(&str, Theme); 2] = [("dark", Theme::dark()), ("light", Theme::light())];

/// The modifiers a style can switch, by the name the file uses.
const MODIFIERS: [(&str, Modifier); 5] = [
    ("bold", Modifier::BOLD),
    ("dim", Modifier::DIM),
    ("italic", Modifier::ITALIC),
    ("underlined", Modifier::UNDERLINED),
    ("reversed", Modifier::REVERSED),
];

/// What is wrong with a `theme.toml`, and where.
pub type ThemeError = FileMistake;

/// A mistake at a byte range of the file, before it is placed on a line.
type Mistake = (Range<usize>, String);

/// The theme `text` (a `theme.toml`) describes.
pub fn parse(text: &str) -> Result<Theme, ThemeError> {
    read_document(text).map_err(|(span, message)| FileMistake::at(THEME_FILE, text, span, message))
}

/// The theme of `dir/theme.toml`, or dark when there is no such file.
pub fn load(dir: &Path) -> Result<Theme, ThemeError> {
    let path = dir.join(THEME_FILE);
    match read_if_present(THEME_FILE, &path)? {
        Some(text) => parse(&text).map_err(|error| error.in_file(path)),
        None => Ok(Theme::dark()),
    }
}

/// The theme the TUI draws with: `theme.toml` from `config_dir` (if any), without
/// colour when `no_color` — which wins over the file, though a broken file is still
/// an error.
pub fn user_theme(config_dir: Option<&Path>, no_color: bool) -> Result<Theme, ThemeError> {
    let theme = match config_dir {
        Some(dir) => load(dir)?,
        None => Theme::dark(),
    };
    Ok(if no_color {
        theme.without_colour()
    } else {
        theme
    })
}

/// Whether `NO_COLOR` is set to something (see no-color.org): an empty value
/// does not count.
pub fn no_color_requested() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty())
}

fn read_document(text: &str) -> Result<Theme, Mistake> {
    let document = DeTable::parse(text).map_err(|error| {
        (
            error.span().unwrap_or(0..0),
            error.message().trim().to_string(),
        )
    })?;
    let mut entries: Vec<_> = document.get_ref().iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    let mut theme = Theme::dark();
    let mut styles = None;
    for (key, value) in entries {
        match key.get_ref().as_ref() {
            "base" => theme = base(value)?,
            "styles" => styles = Some(value),
            other => {
                return Err((
                    key.span(),
                    format!("unknown key '{other}'; a theme file has base and [styles]"),
                ));
            }
        }
    }
    if let Some(styles) = styles {
        apply_styles(&mut theme, styles)?;
    }
    Ok(theme)
}

/// The built-in theme `base = "…"` names.
fn base(value: &Spanned<DeValue<'_>>) -> Result<Theme, Mistake> {
    let names: Vec<_> = BASES
        .iter()
        .map(|(name, _)| format!("\"{name}\""))
        .collect();
    let refused = || (value.span(), format!("base must be {}", names.join(" or ")));
    let DeValue::String(name) = value.get_ref() else {
        return Err(refused());
    };
    BASES
        .iter()
        .find(|(known, _)| known == name)
        .map(|(_, theme)| *theme)
        .ok_or_else(refused)
}

/// Applies `[styles]` to `theme`, role by role.
fn apply_styles(theme: &mut Theme, styles: &Spanned<DeValue<'_>>) -> Result<(), Mistake> {
    let DeValue::Table(table) = styles.get_ref() else {
        return Err((
            styles.span(),
            "styles must be a table of role = { … }".to_string(),
        ));
    };
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(name, _)| name.span().start);
    for (name, value) in entries {
        let Some(role) = Role::from_name(name.get_ref()) else {
            let known: Vec<_> = Role::ALL.iter().map(|role| role.name()).collect();
            return Err((
                name.span(),
                format!(
                    "unknown role '{}'; the roles are {}",
                    name.get_ref(),
                    known.join(", ")
                ),
            ));
        };
        let style = changed_style(theme.style(role), role, value)?;
        theme.set(role, style);
    }
    Ok(())
}

/// `style` with what `value` (`{ fg = …, bold = … }`) says changed.
fn changed_style(
    mut style: Style,
    role: Role,
    value: &Spanned<DeValue<'_>>,
) -> Result<Style, Mistake> {
    let DeValue::Table(table) = value.get_ref() else {
        return Err((
            value.span(),
            format!(
                "{} needs a style like {{ fg = \"cyan\", bold = true }}",
                role.name()
            ),
        ));
    };
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    for (key, value) in entries {
        match key.get_ref().as_ref() {
            "fg" => style.fg = Some(color(value)?),
            "bg" => style.bg = Some(color(value)?),
            name => {
                let Some((_, modifier)) = MODIFIERS.iter().find(|(known, _)| *known == name) else {
                    let known: Vec<_> = MODIFIERS.iter().map(|(name, _)| *name).collect();
                    return Err((
                        key.span(),
                        format!(
                            "unknown style key '{name}'; a style has fg, bg, {}",
                            known.join(", ")
                        ),
                    ));
                };
                let DeValue::Boolean(on) = value.get_ref() else {
                    return Err((value.span(), format!("{name} must be true or false")));
                };
                style = if *on {
                    style.add_modifier(*modifier)
                } else {
                    style.remove_modifier(*modifier)
                };
            }
        }
    }
    Ok(style)
}

/// The colour `value` names: a name, `#rrggbb`, or a 0–255 index (as a number or
/// a string).
fn color(value: &Spanned<DeValue<'_>>) -> Result<Color, Mistake> {
    let parsed = match value.get_ref() {
        DeValue::String(text) if !text.trim().is_empty() => Color::from_str(text).ok(),
        DeValue::Integer(number) => u8::from_str_radix(number.as_str(), number.radix())
            .ok()
            .map(Color::Indexed),
        _ => None,
    };
    parsed.ok_or_else(|| {
        (
            value.span(),
            "unknown colour; use a name (red, light-blue, dark-gray, reset…), \"#rrggbb\" or 0–255"
                .to_string(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> ThemeError {
        parse(text).unwrap_err()
    }

    #[test]
    fn no_file_is_dark_and_base_picks_a_built_in_theme() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(dir.path()).unwrap(), Theme::dark());
        assert_eq!(parse("").unwrap(), Theme::dark());
        assert_eq!(parse("base = \"light\"\n").unwrap(), Theme::light());
        std::fs::write(dir.path().join(THEME_FILE), "base = \"light\"\n").unwrap();
        assert_eq!(load(dir.path()).unwrap(), Theme::light());
    }

    #[test]
    fn a_style_changes_only_what_it_names() {
        let theme = parse(
            "base = \"dark\"\n[styles]\nincoming = { fg = \"cyan\", bold = true }\n\
             json-key = { fg = \"#005f87\", bg = 17 }\nselected = { bold = false }\n\
             mode = { fg = \"236\" }\n",
        )
        .unwrap();
        let incoming = theme.style(Role::Incoming);
        assert_eq!(incoming.fg, Some(Color::Cyan));
        assert!(incoming.add_modifier.contains(Modifier::BOLD));
        let key = theme.style(Role::JsonKey);
        assert_eq!(key.fg, Some(Color::Rgb(0x00, 0x5f, 0x87)));
        assert_eq!(key.bg, Some(Color::Indexed(17)));
        let selected = theme.style(Role::Selected);
        assert!(!selected.add_modifier.contains(Modifier::BOLD));
        assert!(selected.add_modifier.contains(Modifier::REVERSED));
        assert_eq!(theme.style(Role::Mode).fg, Some(Color::Indexed(236)));
        assert_eq!(theme.style(Role::Mode).bg, Some(Color::Cyan), "bg kept");
        assert_eq!(
            theme.style(Role::Outgoing),
            Theme::dark().style(Role::Outgoing)
        );
    }

    #[test]
    fn names_line_and_column_of_each_mistake() {
        let role = error("[styles]\n\n  incomming = { fg = \"red\" }\n");
        assert_eq!((role.line, role.column), (3, 3));
        assert!(role.message.contains("unknown role 'incomming'"), "{role}");
        assert!(role.message.contains("incoming, json-key"), "{role}");
        assert_eq!(
            role.to_string(),
            format!("theme.toml:3:3: {}", role.message)
        );

        let colour = error("[styles]\nerror = { fg = \"redd\" }\n");
        assert_eq!((colour.line, colour.column), (2, 16));
        assert!(colour.message.contains("unknown colour"), "{colour}");

        let index = error("[styles]\nerror = { bg = 256 }\n");
        assert_eq!((index.line, index.column), (2, 16));

        let key = error("[styles]\nerror = { fg = \"red\", blink = true }\n");
        assert_eq!((key.line, key.column), (2, 23));
        assert!(key.message.contains("unknown style key 'blink'"), "{key}");

        let base = error("base = \"solarized\"\n");
        assert_eq!((base.line, base.column), (1, 8));
        assert!(base.message.contains("\"dark\" or \"light\""), "{base}");

        let top = error("bsae = \"light\"\n");
        assert!(top.message.contains("unknown key 'bsae'"), "{top}");

        let flag = error("[styles]\nerror = { bold = \"yes\" }\n");
        assert!(
            flag.message.contains("bold must be true or false"),
            "{flag}"
        );

        let syntax = error("[styles\n");
        assert_eq!(syntax.line, 1, "{syntax}");
    }

    #[test]
    fn no_color_wins_over_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(THEME_FILE),
            "[styles]\nincoming = { fg = \"cyan\", underlined = true }\n",
        )
        .unwrap();
        let theme = user_theme(Some(dir.path()), true).unwrap();
        assert!(!theme.has_colour());
        assert!(
            theme
                .style(Role::Incoming)
                .add_modifier
                .contains(Modifier::UNDERLINED)
        );
        std::fs::write(dir.path().join(THEME_FILE), "base = 1\n").unwrap();
        let broken = user_theme(Some(dir.path()), true).unwrap_err();
        assert_eq!(broken.path, Some(dir.path().join(THEME_FILE)));
    }
}

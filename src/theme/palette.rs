//! A theme: one style for each [`Role`], and the two built in — dark (the default)
//! and light — plus the colourless version of any theme that `NO_COLOR` asks for.

use ratatui::style::{Color, Modifier, Style};

use super::role::Role;

/// One style for each role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    styles: [Style; Role::COUNT],
}

impl Default for Theme {
    fn default() -> Self {
        Theme::dark()
    }
}

impl Theme {
    /// The default theme, for dark terminal backgrounds.
    pub const fn dark() -> Theme {
        Theme::built(BuiltIn::Dark)
    }

    /// A theme for light terminal backgrounds: no white or yellow text, no grey for
    /// what must be read, darker greens and an orange in place of yellow.
    pub const fn light() -> Theme {
        Theme::built(BuiltIn::Light)
    }

    /// The built-in theme `which`, role by role.
    const fn built(which: BuiltIn) -> Theme {
        let mut styles = [Style::new(); Role::COUNT];
        let mut index = 0;
        while index < Role::COUNT {
            let role = Role::ALL[index];
            styles[index] = match which {
                BuiltIn::Dark => dark_style(role),
                BuiltIn::Light => light_style(role),
            };
            index += 1;
        }
        Theme { styles }
    }

    /// The style of `role`.
    pub const fn style(&self, role: Role) -> Style {
        self.styles[role.index()]
    }

    /// Gives `role` the style `style`.
    pub fn set(&mut self, role: Role, style: Style) {
        self.styles[role.index()] = style;
    }

    /// The theme without any colour (`NO_COLOR`): every modifier kept, and where a
    /// role was told apart by colour alone, a modifier in its place — the mode label
    /// reversed, search hits underlined, errors and the focused border bold.
    pub fn without_colour(mut self) -> Theme {
        for role in Role::ALL {
            let style = self.style(role);
            let colourless = Style {
                fg: None,
                bg: None,
                underline_color: None,
                ..style
            };
            self.set(role, colourless.add_modifier(colourless_emphasis(role)));
        }
        self
    }

    /// Whether any role has a foreground, background or underline colour.
    pub fn has_colour(&self) -> bool {
        self.styles.iter().any(|style| {
            style.fg.is_some() || style.bg.is_some() || style.underline_color.is_some()
        })
    }
}

/// The themes built in.
enum BuiltIn {
    /// [`Theme::dark`].
    Dark,
    /// [`Theme::light`].
    Light,
}

/// What `role` gains when colours are gone, so it still stands out.
const fn colourless_emphasis(role: Role) -> Modifier {
    match role {
        Role::Mode => Modifier::REVERSED,
        Role::SearchHit => Modifier::UNDERLINED,
        Role::Error | Role::FocusedBorder => Modifier::BOLD,
        _ => Modifier::empty(),
    }
}

/// A foreground colour.
const fn fg(color: Color) -> Style {
    Style::new().fg(color)
}

/// A bold foreground colour.
const fn bold_fg(color: Color) -> Style {
    Style::new().fg(color).add_modifier(Modifier::BOLD)
}

/// The dark theme's style of `role`.
const fn dark_style(role: Role) -> Style {
    match role {
        Role::FocusedBorder | Role::Outgoing => fg(Color::Cyan),
        Role::Border | Role::Label | Role::Dim => fg(Color::DarkGray),
        Role::FocusedPaneTitle | Role::Key => bold_fg(Color::Cyan),
        Role::PaneTitle => Style::new(),
        Role::Mode => bold_fg(Color::Black).bg(Color::Cyan),
        Role::Title => Style::new().add_modifier(Modifier::BOLD),
        Role::Decoded | Role::Incoming | Role::JsonLiteral => fg(Color::Magenta),
        Role::Error => fg(Color::Red),
        Role::Warning => bold_fg(Color::Yellow),
        Role::Ok | Role::JsonString => fg(Color::Green),
        Role::Selected => Style::new().add_modifier(Modifier::REVERSED.union(Modifier::BOLD)),
        Role::SearchHit => Style::new().bg(Color::Yellow).fg(Color::Black),
        Role::JsonKey => fg(Color::Blue),
        Role::JsonNumber => fg(Color::Yellow),
        Role::JsonPunctuation => fg(Color::Gray),
        Role::StateConnected => bold_fg(Color::Green),
        Role::StateConnecting | Role::StateReconnecting => bold_fg(Color::Yellow),
        Role::StateError => bold_fg(Color::Red),
        Role::StateDisconnected => bold_fg(Color::Gray),
    }
}

/// Dark green (256-colour palette), readable on white where ANSI green is faint.
const DARK_GREEN: Color = Color::Indexed(28);
/// Dark orange (256-colour palette), the light theme's yellow.
const DARK_ORANGE: Color = Color::Indexed(130);

/// The light theme's style of `role`.
const fn light_style(role: Role) -> Style {
    match role {
        Role::FocusedBorder | Role::Outgoing | Role::JsonKey => fg(Color::Blue),
        Role::Border => fg(Color::Gray),
        Role::Label | Role::Dim | Role::JsonPunctuation => fg(Color::DarkGray),
        Role::FocusedPaneTitle | Role::Key => bold_fg(Color::Blue),
        Role::PaneTitle => Style::new(),
        Role::Mode => bold_fg(Color::White).bg(Color::Blue),
        Role::Title => Style::new().add_modifier(Modifier::BOLD),
        Role::Decoded | Role::Incoming | Role::JsonLiteral => fg(Color::Magenta),
        Role::Error => fg(Color::Red),
        Role::Warning => bold_fg(DARK_ORANGE),
        Role::Ok | Role::JsonString => fg(DARK_GREEN),
        Role::Selected => Style::new().add_modifier(Modifier::REVERSED.union(Modifier::BOLD)),
        Role::SearchHit => Style::new().bg(Color::LightYellow).fg(Color::Black),
        Role::JsonNumber => fg(DARK_ORANGE),
        Role::StateConnected => bold_fg(DARK_GREEN),
        Role::StateConnecting | Role::StateReconnecting => bold_fg(DARK_ORANGE),
        Role::StateError => bold_fg(Color::Red),
        Role::StateDisconnected => bold_fg(Color::Black),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Colours that vanish or blur on a white background.
    const FAINT_ON_WHITE: [Color; 4] =
        [Color::White, Color::Yellow, Color::LightYellow, Color::Gray];

    #[test]
    fn the_light_theme_writes_no_text_in_colours_faint_on_white() {
        let light = Theme::light();
        for role in Role::ALL {
            let style = light.style(role);
            if style.bg.is_none() && role != Role::Border {
                let fg = style.fg.unwrap_or(Color::Reset);
                assert!(!FAINT_ON_WHITE.contains(&fg), "{role:?} is {fg:?}");
            }
        }
        let primary = [
            Role::Incoming,
            Role::Outgoing,
            Role::JsonKey,
            Role::JsonString,
        ];
        for role in primary
            .into_iter()
            .chain([Role::JsonNumber, Role::Error, Role::Key])
        {
            assert_ne!(light.style(role).fg, Some(Color::DarkGray), "{role:?}");
        }
        assert_ne!(light, Theme::dark());
    }

    #[test]
    fn without_colour_keeps_modifiers_and_marks_what_colour_told_apart() {
        let plain = Theme::dark().without_colour();
        assert!(!plain.has_colour());
        assert!(Theme::dark().has_colour());
        assert!(plain.style(Role::Mode).has_modifier(Modifier::BOLD));
        assert!(plain.style(Role::Mode).has_modifier(Modifier::REVERSED));
        assert!(plain.style(Role::Selected).has_modifier(Modifier::REVERSED));
        assert!(
            plain
                .style(Role::SearchHit)
                .has_modifier(Modifier::UNDERLINED)
        );
        assert!(plain.style(Role::Error).has_modifier(Modifier::BOLD));
        assert!(plain.style(Role::Warning).has_modifier(Modifier::BOLD));
    }
}

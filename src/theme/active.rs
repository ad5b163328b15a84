//! Which theme the styles come from: the one installed for the whole process at
//! startup (dark until then), unless the current thread has a theme of its own.
//!
//! Tests run in parallel threads of one process and draw on their own thread, so a
//! test sets a theme with [`use_on_this_thread`] and no other test sees it.

use std::cell::RefCell;
use std::marker::PhantomData;
use std::sync::OnceLock;

use ratatui::style::Style;

use super::palette::Theme;
use super::role::Role;

/// The process's theme, installed once at startup.
static INSTALLED: OnceLock<Theme> = OnceLock::new();

/// What is drawn with before a theme is installed.
static DEFAULT: Theme = Theme::dark();

thread_local! {
    /// The current thread's own theme, when it has one.
    static THREAD_THEME: RefCell<Option<Theme>> = const { RefCell::new(None) };
}

/// Makes `theme` the process's theme. Only the first call counts (the TUI installs
/// it before drawing anything); returns whether this one did.
pub fn install(theme: Theme) -> bool {
    INSTALLED.set(theme).is_ok()
}

/// The theme styles come from on this thread: its own, else the installed one,
/// else dark.
pub fn current() -> Theme {
    THREAD_THEME
        .with_borrow(|own| *own)
        .unwrap_or_else(|| *INSTALLED.get().unwrap_or(&DEFAULT))
}

/// The current style of `role`.
pub fn style(role: Role) -> Style {
    THREAD_THEME
        .with_borrow(|own| own.as_ref().map(|theme| theme.style(role)))
        .unwrap_or_else(|| INSTALLED.get().unwrap_or(&DEFAULT).style(role))
}

/// Gives the current thread `theme` until the returned guard is dropped, when the
/// thread's previous theme comes back. Other threads are not affected.
pub fn use_on_this_thread(theme: Theme) -> ThreadTheme {
    let previous = THREAD_THEME.with_borrow_mut(|own| own.replace(theme));
    ThreadTheme {
        previous,
        not_send: PhantomData,
    }
}

/// The current thread's theme while it lives (see [`use_on_this_thread`]).
#[must_use = "the thread's theme lasts only while this guard lives"]
#[derive(Debug)]
pub struct ThreadTheme {
    previous: Option<Theme>,
    /// The guard belongs to the thread whose theme it set.
    not_send: PhantomData<*const ()>,
}

impl Drop for ThreadTheme {
    fn drop(&mut self) {
        let previous = self.previous.take();
        THREAD_THEME.with_borrow_mut(|own| *own = previous);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_theme_lasts_while_its_guard_lives_and_stays_on_its_thread() {
        let light = Theme::light();
        let dark_key = style(Role::Key);
        {
            let _light = use_on_this_thread(light);
            assert_eq!(style(Role::Key), light.style(Role::Key));
            assert_ne!(style(Role::Key), dark_key);
            let elsewhere = std::thread::spawn(|| style(Role::Key)).join().unwrap();
            assert_eq!(elsewhere, dark_key, "another thread keeps its theme");
            {
                let _plain = use_on_this_thread(light.without_colour());
                assert_eq!(current(), light.without_colour());
            }
            assert_eq!(current(), light, "the outer theme comes back");
        }
        assert_eq!(style(Role::Key), dark_key);
    }
}

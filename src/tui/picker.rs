//! Runs the profile picker on the terminal until the user picks something or leaves.

use anyhow::Context;
use futures_util::StreamExt;
use ratatui::crossterm::event::{Event as TermEvent, EventStream, KeyCode, KeyEvent, KeyEventKind};

use super::terminal::{TerminalGuard, terminated, termination};
use crate::state::picker::{Picker, PickerChoice, PickerOutcome};
use crate::state::profile_form::{FormOutcome, ProfileForm};

/// Shows the picker over `items` until a choice (`Some`) or Esc/Ctrl-C (`None`).
/// The picker's own error line says why an Enter did nothing (a broken profile).
pub async fn pick(
    guard: &mut TerminalGuard,
    picker: &mut Picker,
) -> anyhow::Result<Option<PickerChoice>> {
    let mut input = EventStream::new();
    let mut termination = termination();
    loop {
        guard
            .terminal()
            .draw(|frame| crate::ui::picker::render_picker(frame, frame.area(), picker))
            .context("cannot draw")?;
        let event = tokio::select! {
            event = input.next() => event,
            _ = terminated(&mut termination) => return Ok(None),
        };
        let Some(event) = event else {
            return Ok(None);
        };
        match event.context("cannot read the terminal")? {
            TermEvent::Key(key) if key.kind != KeyEventKind::Release => {
                match picker.handle_key(key) {
                    PickerOutcome::None => {}
                    PickerOutcome::Chosen(choice) => return Ok(Some(choice)),
                    PickerOutcome::Quit => return Ok(None),
                }
            }
            TermEvent::Paste(text) => {
                for c in text.chars().filter(|c| !c.is_control()) {
                    picker.handle_key(KeyEvent::from(KeyCode::Char(c)));
                }
            }
            _ => {}
        }
    }
}

/// Shows the profile form until the user saves (`Save`, for the caller to write and
/// maybe come back with a notice) or cancels.
pub async fn fill_form(
    guard: &mut TerminalGuard,
    form: &mut ProfileForm,
) -> anyhow::Result<FormOutcome> {
    let mut input = EventStream::new();
    let mut termination = termination();
    loop {
        guard
            .terminal()
            .draw(|frame| crate::ui::profile_form::render_profile_form(frame, frame.area(), form))
            .context("cannot draw")?;
        let event = tokio::select! {
            event = input.next() => event,
            _ = terminated(&mut termination) => return Ok(FormOutcome::Cancel),
        };
        let Some(event) = event else {
            return Ok(FormOutcome::Cancel);
        };
        match event.context("cannot read the terminal")? {
            TermEvent::Key(key) if key.kind != KeyEventKind::Release => {
                match form.handle_key(key) {
                    FormOutcome::None => {}
                    outcome => return Ok(outcome),
                }
            }
            // A pasted URL replaces a selected placeholder as typing does.
            TermEvent::Paste(text) => {
                for c in text.chars().filter(|c| !c.is_control()) {
                    form.handle_key(KeyEvent::from(KeyCode::Char(c)));
                }
            }
            _ => {}
        }
    }
}

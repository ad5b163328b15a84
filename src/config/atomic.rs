//! Atomic, private file writes: a temporary file beside the target (mode 0600, not
//! following symlinks), fsync, then a rename (or a hard link when the target must not
//! exist yet), then an fsync of the directory. A failed write leaves the old file as it
//! was and removes the temporary file. Directories are created with mode 0700.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::error::ProfileError;

/// Where a save writes before renaming onto `path`: a hidden file beside it, one per
/// process (`.NAME.toml.PID.tmp`).
pub fn temp_path_for(path: &Path) -> PathBuf {
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{file}.{}.tmp", std::process::id()))
}

/// Creates `dir` and its missing parents with mode 0700.
pub fn create_private_dir(dir: &Path) -> Result<(), ProfileError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(|error| ProfileError::io("create directory", dir, &error))
}

/// Writes `bytes` to `path` atomically with mode 0600: a temporary file in the same
/// directory, fsync, then rename (or, with `no_replace`, a hard link that fails if
/// `path` exists). On failure the old file is untouched and the temporary removed.
pub fn write_atomic(path: &Path, bytes: &[u8], no_replace: bool) -> Result<(), ProfileError> {
    let temp = temp_path_for(path);
    let result = write_then_move(&temp, path, bytes, no_replace);
    if result.is_err() && fs::symlink_metadata(&temp).is_ok_and(|meta| meta.is_file()) {
        let _ = fs::remove_file(&temp);
    }
    result
}

fn write_then_move(
    temp: &Path,
    path: &Path,
    bytes: &[u8],
    no_replace: bool,
) -> Result<(), ProfileError> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    let write_error = |error: io::Error| ProfileError::io("write", temp, &error);
    let mut file = options.open(temp).map_err(write_error)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(write_error)?;
    }
    file.write_all(bytes).map_err(write_error)?;
    file.sync_all().map_err(write_error)?;
    drop(file);
    if no_replace {
        match fs::hard_link(temp, path) {
            Ok(()) => {
                let _ = fs::remove_file(temp);
            }
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {
                return Err(ProfileError::io("create", path, &error));
            }
            // No hard links here (some file systems): check, then rename.
            Err(_) if path.exists() => {
                let error = io::Error::from(io::ErrorKind::AlreadyExists);
                return Err(ProfileError::io("create", path, &error));
            }
            Err(_) => fs::rename(temp, path).map_err(|e| ProfileError::io("replace", path, &e))?,
        }
    } else {
        fs::rename(temp, path).map_err(|error| ProfileError::io("replace", path, &error))?;
    }
    if let Some(dir) = path.parent()
        && let Ok(handle) = fs::File::open(dir)
    {
        // Makes the rename durable; not all platforms can sync a directory.
        let _ = handle.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_replaces_and_refuses_to_replace() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.toml");
        write_atomic(&path, b"one", true).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"one");
        let error = write_atomic(&path, b"two", true).unwrap_err();
        assert!(
            matches!(
                error,
                ProfileError::Io {
                    kind: io::ErrorKind::AlreadyExists,
                    ..
                }
            ),
            "{error}"
        );
        assert_eq!(fs::read(&path).unwrap(), b"one");
        write_atomic(&path, b"three", false).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"three");
        assert!(!temp_path_for(&path).exists());
    }

    #[test]
    fn temp_path_is_hidden_beside_the_target() {
        let temp = temp_path_for(Path::new("/d/ha.toml"));
        assert_eq!(temp.parent(), Some(Path::new("/d")));
        let name = temp.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with(".ha.toml.") && name.ends_with(".tmp"),
            "{name}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_at_the_temp_path_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.toml");
        let victim = dir.path().join("victim");
        fs::write(&victim, "untouched").unwrap();
        std::os::unix::fs::symlink(&victim, temp_path_for(&path)).unwrap();
        assert!(write_atomic(&path, b"x", false).is_err());
        assert_eq!(fs::read_to_string(&victim).unwrap(), "untouched");
        assert!(!path.exists());
    }

    #[cfg(unix)]
    #[test]
    fn new_directories_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("a/b");
        create_private_dir(&nested).unwrap();
        for path in [dir.path().join("a"), nested] {
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o700, "{}", path.display());
        }
    }
}

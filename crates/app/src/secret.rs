//! Random secrets and password hashing.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use sanbao_domain::hex;

use crate::AppError;

/// `n` random bytes as hex.
pub(crate) fn random_hex(n: usize) -> Result<String, AppError> {
    let mut b = vec![0u8; n];
    getrandom::fill(&mut b).map_err(|e| AppError::fault(format!("no randomness: {e}")))?;
    Ok(hex::encode(&b))
}

/// A readable random password for first start and resets: 4 groups of 4 from an alphabet
/// without look-alikes (no 0/O, 1/l/I), always with letters and digits.
pub(crate) fn random_password() -> Result<String, AppError> {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    loop {
        let mut b = [0u8; 16];
        getrandom::fill(&mut b).map_err(|e| AppError::fault(format!("no randomness: {e}")))?;
        let chars: Vec<char> = b
            .iter()
            .map(|x| ALPHABET[*x as usize % ALPHABET.len()] as char)
            .collect();
        let has_digit = chars.iter().any(char::is_ascii_digit);
        let has_alpha = chars.iter().any(char::is_ascii_alphabetic);
        if has_digit && has_alpha {
            let groups: Vec<String> = chars.chunks(4).map(|c| c.iter().collect()).collect();
            return Ok(groups.join("-"));
        }
    }
}

/// Argon2 runs on a few dedicated threads, one hash per thread at a time. Each hash takes
/// 19 MiB; on tokio's blocking pool a burst of logins would spread them over dozens of threads
/// (and allocator arenas) and hold gigabytes, and a login flood could exhaust memory. Here the
/// work queues instead, and memory stays at threads × 19 MiB.
struct HashPool {
    jobs: std::sync::Mutex<std::sync::mpsc::Sender<Box<dyn FnOnce() + Send>>>,
}

static POOL: std::sync::LazyLock<HashPool> = std::sync::LazyLock::new(|| {
    let (tx, rx) = std::sync::mpsc::channel::<Box<dyn FnOnce() + Send>>();
    let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 8);
    for i in 0..threads {
        let rx = rx.clone();
        let _ = std::thread::Builder::new()
            .name(format!("argon2-{i}"))
            .spawn(move || {
                loop {
                    let job = match rx.lock() {
                        Ok(r) => r.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                }
            });
    }
    HashPool {
        jobs: std::sync::Mutex::new(tx),
    }
});

async fn on_hash_pool<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    POOL.jobs
        .lock()
        .map_err(|_| AppError::fault("hash pool poisoned"))?
        .send(Box::new(move || {
            let _ = tx.send(f());
        }))
        .map_err(|_| AppError::fault("hash pool stopped"))?;
    rx.await.map_err(|_| AppError::fault("hash job dropped"))
}

/// Hash a password with Argon2id (default parameters) on the hashing threads.
pub(crate) async fn hash_password(password: String) -> Result<String, AppError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| AppError::fault(format!("no randomness: {e}")))?;
    on_hash_pool(move || {
        argon2::Argon2::default()
            .hash_password_with_salt(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::fault(format!("argon2: {e}")))
    })
    .await?
}

/// Check a password against a stored hash on the hashing threads. A malformed hash is a
/// mismatch, not a fault.
pub(crate) async fn verify_password(password: String, hash: String) -> Result<bool, AppError> {
    on_hash_pool(move || {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok()
    })
    .await
}

/// A hash of a password nobody has, verified against when the user name is unknown so that a
/// wrong user name takes as long as a wrong password.
pub(crate) static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    argon2::Argon2::default()
        .hash_password_with_salt(b"sanbao-no-such-user", b"sanbao-dummy-salt")
        .map(|h| h.to_string())
        .unwrap_or_default()
});

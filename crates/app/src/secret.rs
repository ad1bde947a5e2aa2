//! Random secrets and password hashing.

use argon2::password_hash::PasswordHasher;
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
    on_hash_pool(move || verify_in_place(password.as_bytes(), &hash)).await
}

thread_local! {
    /// Each hashing thread's Argon2 memory, allocated once and reused by every verification:
    /// a fresh 19 MiB buffer per login left the allocator holding hundreds of MiB after a burst.
    static BLOCKS: std::cell::RefCell<Vec<argon2::Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// What `PasswordVerifier::verify_password` does, with this thread's reused memory.
fn verify_in_place(password: &[u8], phc: &str) -> bool {
    let Ok(h) = argon2::PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&h.salt, &h.hash) else {
        return false;
    };
    let (Ok(params), Ok(algorithm)) = (
        argon2::Params::try_from(&h),
        argon2::Algorithm::try_from(h.algorithm.as_str()),
    ) else {
        return false;
    };
    let version = match h.version.map(argon2::Version::try_from) {
        None => argon2::Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let blocks = params.block_count();
    let argon = argon2::Argon2::new(algorithm, version, params);
    let mut out = vec![0u8; expected.len()];
    BLOCKS.with_borrow_mut(|memory| {
        if memory.len() < blocks {
            memory.resize(blocks, argon2::Block::default());
        }
        argon
            .hash_password_into_with_memory(password, salt, &mut out, &mut memory[..])
            .is_ok()
    }) && argon2::password_hash::phc::Output::new(&out).is_ok_and(|o| o == *expected)
}

/// A hash of a password nobody has, verified against when the user name is unknown so that a
/// wrong user name takes as long as a wrong password.
pub(crate) static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    argon2::Argon2::default()
        .hash_password_with_salt(b"sanbao-no-such-user", b"sanbao-dummy-salt")
        .map(|h| h.to_string())
        .unwrap_or_default()
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifying_on_reused_memory_agrees_with_the_library() {
        let hash = argon2::Argon2::default()
            .hash_password_with_salt(b"correct-horse-42", b"sanbao-test-salt")
            .unwrap()
            .to_string();
        for _ in 0..2 {
            assert!(verify_in_place(b"correct-horse-42", &hash));
            assert!(!verify_in_place(b"correct-horse-43", &hash));
        }
        assert!(!verify_in_place(b"x", "not a hash"));
        assert!(!verify_in_place(
            b"x",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ"
        ));
        assert!(verify_in_place(b"sanbao-no-such-user", &DUMMY_HASH));
    }
}

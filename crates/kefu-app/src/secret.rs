//! Random secrets and their hashes: session cookies, API tokens, CSRF tokens (and the HMAC
//! that binds them to a session), generated passwords. Session and API tokens are stored only as SHA-256 hashes: they carry 256
//! bits of randomness, so a fast hash is enough, and a leaked table reveals no usable token.

use argon2::password_hash::PasswordHasher;
use argon2::{Argon2, PasswordVerifier};
use sha2::{Digest, Sha256};

use crate::{AppError, Result};

/// `bytes` of OS randomness as lowercase hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the operating system provides randomness");
    hex::encode(buf)
}

pub fn sha256_hex(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// HMAC-SHA256 (RFC 2104) of `message` under `key`, as lowercase hex: what signs CSRF
/// tokens. Written out over `sha2` (the construction is two hashes) rather than pulling in
/// another crate; the RFC 4231 vectors below check it.
pub fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    inner.update(message);
    let inner = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner);
    hex::encode(outer.finalize())
}

/// A password people can read aloud and type: no 0/O, 1/l/I.
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut buf = [0u8; 16];
    getrandom::fill(&mut buf).expect("the operating system provides randomness");
    buf.iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}

/// Argon2id with the crate's recommended parameters, off the async threads: a hash takes
/// tens of milliseconds on purpose.
pub async fn hash_password(password: &str) -> Result<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

/// Verifies against a stored PHC string; a malformed stored hash counts as a mismatch.
pub async fn verify_password(password: &str, stored_hash: &str) -> Result<bool> {
    let (password, stored) = (password.to_owned(), stored_hash.to_owned());
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .verify_password(password.as_bytes(), stored.as_str())
            .is_ok()
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))
}

/// A hash of a password nobody has, so that sign-ins for unknown usernames take as long as
/// those for real ones.
pub const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$\
    hGDB+mLk3A8VbEtIuY/O3yZ9/uOmNyfePBAqjPwSw5s";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_are_long_enough_and_differ() {
        let a = generate_password();
        assert_eq!(a.len(), 16);
        assert_ne!(a, generate_password());
        kefu_domain::staff::check_password(&a).unwrap();
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        assert_eq!(
            hmac_sha256_hex(&[0x0b; 20], b"Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        assert_eq!(
            hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // A key longer than the block is hashed first.
        assert_eq!(
            hmac_sha256_hex(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            ),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[tokio::test]
    async fn hash_and_verify() {
        let h = hash_password("正确的密码 correct horse").await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(
            verify_password("正确的密码 correct horse", &h)
                .await
                .unwrap()
        );
        assert!(!verify_password("wrong", &h).await.unwrap());
        assert!(!verify_password("wrong", "not a hash").await.unwrap());
        // The dummy hash parses, so unknown users cost a full verification.
        assert!(!verify_password("x", DUMMY_HASH).await.unwrap());
    }
}

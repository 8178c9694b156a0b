//! Random secrets and their hashes: session cookies, API tokens, CSRF tokens, generated
//! passwords. Session and API tokens are stored only as SHA-256 hashes: they carry 256
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

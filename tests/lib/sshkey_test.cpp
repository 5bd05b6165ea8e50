// lib/sshkey.cpp: OpenSSH public key parsing, fingerprints, Ed25519 generation.
#include "sshkey.hpp"

#include "crypto.hpp"
#include "error.hpp"

#include <boost/test/unit_test.hpp>

using namespace cabinet;

namespace {

// Made by ssh-keygen; the fingerprints are what `ssh-keygen -lf` prints for them.
const std::string kEd25519 =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO9067hcx6u5wwfGyEJ2KvewDOvZ7WZl67ca7wNwoPi5 alice@laptop";
const std::string kEd25519Fingerprint = "SHA256:ubpd8RD9xqDZWFYx6QZgXVA+7inssTAja9qxwVET2Iw";
const std::string kEcdsa =
    "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBHFvsQBp9miXWB+nAX5EBXqR+FgPDm4mbMReh1/"
    "9qYo6Hv+zJz0Qk4VjtuSkDdtk7C3B7NZCRucSRAu6nyZAW78=";
const std::string kEcdsaFingerprint = "SHA256:DOKwI3gbUQwdZ+W8tyX2eJeEQ8Snz9eYnDbgX75x1KE";
const std::string kRsa1024 =
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQCssRtWLIeciknrJHAgNvmKD07hLG/faAjzSp4YGhe52+KpEikdlBgMlN/DVv6cAoq3DgtYWOjmxj8l3P5P8"
    "ut9zcjaTr05kJbVZBH+AhQuFP9rt54W8KvPJt3J6yB3CBIPDjV4ddi9zcuvasMNYi/oDq8VPK61cpiOBpgPFuK6bQ== root@vm";

// The message parse_public_key rejects content with, on field content.
std::string rejection(const std::string& content) {
    try {
        parse_public_key(content);
    } catch (const Error& e) {
        BOOST_TEST(e.code == "VALIDATION_ERROR");
        BOOST_TEST(e.field == "content");
        return e.message;
    }
    BOOST_ERROR("accepted a key the parser must reject");
    return "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sshkey)

BOOST_AUTO_TEST_CASE(ed25519_key_is_parsed_with_its_ssh_keygen_fingerprint) {
    PublicKey k = parse_public_key(kEd25519);
    BOOST_TEST(k.line == kEd25519);
    BOOST_TEST(k.fingerprint == kEd25519Fingerprint);
}

BOOST_AUTO_TEST_CASE(surrounding_blanks_are_trimmed_and_inner_runs_become_one_space) {
    PublicKey k = parse_public_key("  \r\n" + kEcdsa.substr(0, 19) + " \t " + kEcdsa.substr(20) + "\r\n");
    BOOST_TEST(k.line == kEcdsa);
    BOOST_TEST(k.fingerprint == kEcdsaFingerprint);
}

BOOST_AUTO_TEST_CASE(short_rsa_key_is_rejected) { BOOST_TEST(rejection(kRsa1024) == "RSA keys must be at least 2048 bits"); }

BOOST_AUTO_TEST_CASE(dsa_and_unknown_types_are_rejected) {
    BOOST_TEST(rejection("ssh-dss AAAAB3NzaC1kc3MAAACBAP8=") == "DSA keys are not accepted");
    BOOST_TEST(rejection("ssh-ed25519-cert-v01@openssh.com AAAA") ==
               "Unsupported key type; use ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa");
}

BOOST_AUTO_TEST_CASE(private_keys_several_lines_and_garbage_are_rejected) {
    BOOST_TEST(rejection("-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----") ==
               "Private keys are not accepted; upload the public key");
    BOOST_TEST(rejection(kEd25519 + "\n" + kEcdsa) == "Must be one OpenSSH public key line");
    BOOST_TEST(rejection(" \n ") == "An OpenSSH public key is required");
    BOOST_TEST(rejection("ssh-ed25519") == "Expected \"type base64 [comment]\"");
    BOOST_TEST(rejection("ssh-ed25519 !!!") == "Malformed key data");
    BOOST_TEST(rejection(std::string(16385, 'a')) == "Key is too long");
}

BOOST_AUTO_TEST_CASE(key_data_of_another_type_than_the_line_says_is_rejected) {
    BOOST_TEST(rejection("ssh-rsa " + kEd25519.substr(12)) == "Key type does not match the key data");
}

BOOST_AUTO_TEST_CASE(key_data_with_trailing_bytes_is_rejected) {
    auto blob = unbase64(kEd25519.substr(12, 68));
    BOOST_REQUIRE(blob.has_value());
    BOOST_TEST(rejection("ssh-ed25519 " + base64(*blob + std::string("\0\0\0\0", 4))) == "Malformed key data");
}

BOOST_AUTO_TEST_CASE(generated_ed25519_key_parses_back_to_its_fingerprint) {
    GeneratedKey g = generate_ed25519();
    BOOST_TEST(g.pub.line.rfind("ssh-ed25519 ", 0) == 0u);
    BOOST_TEST(parse_public_key(g.pub.line).fingerprint == g.pub.fingerprint);
    BOOST_TEST(g.private_key.rfind("-----BEGIN OPENSSH PRIVATE KEY-----\n", 0) == 0u);
    BOOST_TEST(g.private_key.substr(g.private_key.size() - 34) == "-----END OPENSSH PRIVATE KEY-----\n");
    BOOST_TEST(generate_ed25519().pub.fingerprint != g.pub.fingerprint);
}

BOOST_AUTO_TEST_CASE(pem_body_is_wrapped_at_70_columns) {
    std::string body(150, 'x');
    std::string out = wrap_pem("-----BEGIN OPENSSH PRIVATE KEY-----\n" + body + "\n-----END OPENSSH PRIVATE KEY-----\n");
    BOOST_TEST(out == "-----BEGIN OPENSSH PRIVATE KEY-----\n" + std::string(70, 'x') + "\n" + std::string(70, 'x') +
                          "\n" + std::string(10, 'x') + "\n-----END OPENSSH PRIVATE KEY-----\n");
}

BOOST_AUTO_TEST_CASE(wire_strings_are_read_by_index_and_bounded) {
    std::string blob = std::string("\0\0\0\3abc\0\0\0\1z", 12);
    BOOST_TEST(*wire_string(blob, 0) == "abc");
    BOOST_TEST(*wire_string(blob, 1) == "z");
    BOOST_TEST(!wire_string(blob, 2).has_value());
    BOOST_TEST(!wire_string(std::string("\0\0\0\x09" "abc", 7), 0).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

//! PAdES signatures inside PDFs, checked by independent tools: pyHanko (`pyhanko sign validate`
//! and its own reading of each signature's level), poppler's `pdfsig` with an NSS trust store,
//! and `qpdf --check` on every PDF written; PDFs from other producers (object streams,
//! cross-reference streams, pyHanko's signatures, later changes made with pyHanko's writer);
//! a visible signature with a Chinese name rendered by pdftoppm; bad PDFs refused clearly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::{Env, Tsa, repo, text};

const PASSWORD: &str = "contract pass 42";

/// A PDF with one line of text per page, classic cross-reference table (as simple producers write).
fn contract_pdf(pages: &[&str]) -> Vec<u8> {
    contract_pdf_turned(pages, 0)
}

/// A contract whose pages carry /Rotate `rotate` (shown turned clockwise).
fn contract_pdf_turned(pages: &[&str], rotate: u16) -> Vec<u8> {
    let n = pages.len();
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {n} >>",
            (0..n).map(|i| format!("{} 0 R", 3 + 2 * i)).collect::<Vec<_>>().join(" ")
        ),
    ];
    let font = 3 + 2 * n;
    for (i, line) in pages.iter().enumerate() {
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Rotate {rotate} /Resources << /Font << /F1 {font} 0 R >> >> /Contents {} 0 R >>",
            4 + 2 * i
        ));
        let content = format!("BT /F1 20 Tf 72 760 Td ({line}) Tj ET");
        objects.push(format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()));
    }
    objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned());
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{o}\nendobj\n", i + 1).bytes());
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
    for o in offsets {
        out.extend(format!("{o:010} 00000 n \n").bytes());
    }
    out.extend(format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).bytes());
    out
}

/// Serves one file over HTTP on `listener` (the CA's CRL), for as long as the test runs.
fn serve(listener: TcpListener, bytes: Vec<u8>) {
    std::thread::spawn(move || {
        for stream in listener.incoming().take(1000) {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/pkix-crl\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                bytes.len()
            );
            let _ = s.write_all(head.as_bytes());
            let _ = s.write_all(&bytes);
        }
    });
}

/// A test PKI (a CA publishing a CRL over HTTP and answering OCSP with `openssl ocsp`; signers
/// alice and bob with a CRL address, carol with an OCSP address), a TSA, every signer imported.
struct Setup {
    env: Env,
    tsa: Tsa,
    ocsp: std::process::Child,
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = self.ocsp.kill();
        let _ = self.ocsp.wait();
    }
}

impl Setup {
    fn new() -> Setup {
        let env = Env::new();
        let tsa = Tsa::start();
        env.write("pw", PASSWORD);
        // The CRL's address must be in the signers' certificates: bind the server first.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let ocsp_port = crate::support::closed_port();
        let script = format!(
            r#"set -e
cat > ca.cnf <<'X'
[req]
distinguished_name=dn
[dn]
[ca_ext]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
[signer]
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,nonRepudiation
crlDistributionPoints=URI:http://127.0.0.1:{port}/ca.crl
[ocsp_signer]
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,nonRepudiation
authorityInfoAccess=OCSP;URI:http://127.0.0.1:{ocsp_port}/
[ca]
default_ca=testca
[testca]
database=index.txt
crlnumber=crlnumber
default_md=sha256
default_crl_days=30
certificate=ca.pem
private_key=ca.key
X
touch index.txt; echo 01 > crlnumber
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -subj "/CN=Contract Test CA" -days 60 -extensions ca_ext -config ca.cnf 2>/dev/null
for who in alice bob carol; do
  ext=signer; [ $who = carol ] && ext=ocsp_signer
  openssl req -newkey rsa:2048 -nodes -keyout $who.key -out $who.csr -subj "/CN=$who Signer" 2>/dev/null
  openssl x509 -req -in $who.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out $who.pem -days 30 -extfile ca.cnf -extensions $ext 2>/dev/null
  openssl pkcs12 -export -inkey $who.key -in $who.pem -certfile ca.pem -out $who.p12 -passout "pass:{PASSWORD}"
  # The CA's database, which the OCSP responder answers from.
  serial=$(openssl x509 -in $who.pem -noout -serial | cut -d= -f2)
  end=$(date -u -d "$(openssl x509 -in $who.pem -noout -enddate | cut -d= -f2)" +%y%m%d%H%M%SZ)
  printf 'V\t%s\t\t%s\tunknown\t/CN=%s Signer\n' "$end" "$serial" "$who" >> index.txt
done
openssl ca -gencrl -config ca.cnf -out ca.crl.pem 2>/dev/null
openssl crl -in ca.crl.pem -outform DER -out ca.crl
"#
        );
        let out = Command::new("bash").arg("-c").arg(&script).current_dir(env.dir.path()).output().unwrap();
        assert!(out.status.success(), "test PKI: {}", text(&out.stderr));
        serve(listener, std::fs::read(env.path("ca.crl")).unwrap());
        let ocsp = Command::new("openssl")
            .args(["ocsp", "-index", "index.txt", "-port", &ocsp_port.to_string()])
            .args(["-rsigner", "ca.pem", "-rkey", "ca.key", "-CA", "ca.pem", "-ignore_err"])
            .current_dir(env.dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("openssl ocsp");
        let setup = Setup { env, tsa, ocsp };
        for who in ["alice", "bob", "carol"] {
            let out = setup
                .cmd()
                .args(["identity", "import", &format!("{who}.p12"), "--password-file", "pw"])
                .output()
                .unwrap();
            assert!(out.status.success(), "import {who}: {}", text(&out.stderr));
        }
        setup
    }

    fn cmd(&self) -> Command {
        let mut c = self.env.cmd();
        c.env("EVIDENTIA_IDENTITIES", self.env.path("identities"))
            .env("EVIDENTIA_TSA", self.tsa.url("/tsa"))
            .env("EVIDENTIA_TSA_TRUST", self.tsa.root());
        c
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.env.path(rel)
    }

    /// `evidentia pdf sign IN -o OUT --identity WHO --password-file pw EXTRA...`, expected to succeed.
    fn sign(&self, input: &str, output: &str, who: &str, extra: &[&str]) -> serde_json::Value {
        let out = self.sign_output(input, output, who, extra);
        assert!(out.status.success(), "pdf sign {input}: {}{}", text(&out.stdout), text(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn extend(&self, input: &str, output: &str) -> serde_json::Value {
        let out = self.extend_output(input, output);
        assert!(out.status.success(), "pdf extend {input}: {}{}", text(&out.stdout), text(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn extend_output(&self, input: &str, output: &str) -> Output {
        self.cmd().args(["--json", "pdf", "extend", input, "-o", output]).output().unwrap()
    }

    fn sign_output(&self, input: &str, output: &str, who: &str, extra: &[&str]) -> Output {
        self.cmd()
            .args(["--json", "pdf", "sign", input, "-o", output, "--identity", who, "--password-file", "pw"])
            .args(extra)
            .output()
            .unwrap()
    }

    /// Our verifier's report, revocation data fetched from the test CA (`--online`).
    fn verify(&self, file: &str, extra: &[&str]) -> (i32, serde_json::Value) {
        self.verify_offline(file, &[&["--online"], extra].concat())
    }

    /// Our verifier's report with only the revocation data the file and `extra` give.
    fn verify_offline(&self, file: &str, extra: &[&str]) -> (i32, serde_json::Value) {
        let out = self.cmd().args(["--json", "pdf", "verify", file, "--trust", "ca.pem"]).args(extra).output().unwrap();
        let v = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("pdf verify {file}: {e}: {}{}", text(&out.stdout), text(&out.stderr)));
        (out.status.code().unwrap_or(-1), v)
    }

    fn trust_args(&self) -> Vec<String> {
        vec![
            "--trust".into(),
            self.path("ca.pem").display().to_string(),
            "--trust".into(),
            self.tsa.root().display().to_string(),
        ]
    }

    /// pyHanko signs `input` into `output` (PAdES B-T, the test TSA) in a new field, with a PKCS #12.
    fn pyhanko_sign(&self, input: &str, output: &str, field: &str, p12: &str) {
        let out = Command::new("pyhanko")
            .args(["sign", "addsig", "--field", field, "--use-pades", "--timestamp-url", &self.tsa.url("/tsa")])
            .args(["pkcs12", "--passfile", "pw", input, output, p12])
            .current_dir(self.env.dir.path())
            .output()
            .expect("pyhanko (PyPI pyhanko-cli)");
        assert!(out.status.success(), "pyhanko addsig: {}", text(&out.stderr));
    }

    /// `pyhanko sign validate --pretty-print`: the whole text.
    fn pyhanko_validate(&self, file: &str) -> String {
        let out = Command::new("pyhanko")
            .args(["sign", "validate", "--pretty-print"])
            .args(self.trust_args())
            .arg(file)
            .current_dir(self.env.dir.path())
            .output()
            .expect("pyhanko (PyPI pyhanko-cli)");
        format!("{}{}", text(&out.stdout), text(&out.stderr))
    }

    /// pyHanko's reading of each signature (tests/fixtures/pdf_tools.py levels).
    fn pyhanko_levels(&self, file: &str) -> Vec<serde_json::Value> {
        let out = Command::new("python3")
            .arg(repo().join("tests/fixtures/pdf_tools.py"))
            .arg("levels")
            .args(self.trust_args())
            .arg(file)
            .current_dir(self.env.dir.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "pdf_tools.py levels: {}", text(&out.stderr));
        text(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .filter(|v: &serde_json::Value| v.get("field").is_some())
            .collect()
    }

    /// `pdfsig` with an NSS store trusting the test CA and the TSA root: its text.
    fn pdfsig(&self, file: &str) -> String {
        let nss = self.path("nss");
        if !nss.exists() {
            std::fs::create_dir_all(&nss).unwrap();
            let db = format!("sql:{}", nss.display());
            let ok = |c: &mut Command| assert!(c.output().unwrap().status.success(), "certutil");
            ok(Command::new("certutil").args(["-N", "-d", &db, "--empty-password"]));
            ok(Command::new("certutil")
                .args(["-A", "-d", &db, "-n", "ca", "-t", "CT,C,C", "-i"])
                .arg(self.path("ca.pem")));
            ok(Command::new("certutil")
                .args(["-A", "-d", &db, "-n", "tsa", "-t", "CT,C,C", "-i"])
                .arg(self.tsa.root()));
        }
        let out = Command::new("pdfsig")
            .arg("-nssdir")
            .arg(format!("sql:{}", nss.display()))
            .arg(self.path(file))
            .output()
            .expect("pdfsig (poppler-utils)");
        assert!(out.status.success(), "pdfsig {file}: {}", text(&out.stderr));
        text(&out.stdout)
    }

    fn qpdf_check(&self, file: &str) {
        let out = Command::new("qpdf").arg("--check").arg(self.path(file)).output().expect("qpdf");
        assert!(out.status.success(), "qpdf --check {file}: {}{}", text(&out.stdout), text(&out.stderr));
    }

    fn qpdf(&self, args: &[&str]) {
        let out = Command::new("qpdf").args(args).current_dir(self.env.dir.path()).output().expect("qpdf");
        assert!(out.status.code() == Some(0) || out.status.code() == Some(3), "qpdf {args:?}: {}", text(&out.stderr));
    }
}

fn signature_levels(report: &serde_json::Value) -> Vec<(String, String, String)> {
    report["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["field"].as_str().unwrap_or_default().to_owned(),
                s["level"].as_str().unwrap_or("-").to_owned(),
                s["result"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn assert_pdfsig_valid(pdfsig: &str, signatures: usize) {
    assert_eq!(pdfsig.matches("Signature Validation: Signature is Valid.").count(), signatures, "{pdfsig}");
    assert!(pdfsig.contains("Certificate Validation: Certificate is Trusted."), "{pdfsig}");
}

#[test]
fn every_level_is_accepted_by_pyhanko_pdfsig_and_qpdf() {
    let s = Setup::new();
    let original = contract_pdf(&["Service agreement", "Terms and signatures"]);
    s.env.write("contract.pdf", &original);
    for level in ["B-B", "B-T", "B-LT", "B-LTA"] {
        let out = format!("signed-{level}.pdf");
        let signed = s.sign("contract.pdf", &out, "alice", &["--level", level]);
        assert_eq!(signed["signed"][0]["level"], level);
        let bytes = std::fs::read(s.path(&out)).unwrap();
        assert!(bytes.starts_with(&original), "{level}: the original bytes must stay as they were");
        s.qpdf_check(&out);

        let validated = s.pyhanko_validate(&out);
        assert!(validated.contains("The signature is judged VALID."), "{level}: {validated}");
        assert!(validated.contains("The signer's certificate is trusted."), "{level}: {validated}");
        let levels = s.pyhanko_levels(&out);
        assert_eq!(levels.len(), 1, "{levels:?}");
        assert_eq!(levels[0]["level"], level, "pyHanko's reading: {levels:?}");
        assert_eq!(levels[0]["intact"], true);
        assert_eq!(levels[0]["bottom_line"], true, "{levels:?}");

        assert_pdfsig_valid(&s.pdfsig(&out), 1);

        let (code, report) = s.verify(&out, &[]);
        assert_eq!(code, 0, "{report:#}");
        assert_eq!(report["result"], "TOTAL-PASSED");
        let regular: Vec<_> = signature_levels(&report).into_iter().filter(|(_, l, _)| l != "-").collect();
        assert_eq!(regular, vec![("Signature1".to_owned(), level.to_owned(), "TOTAL-PASSED".to_owned())]);
        if level == "B-LTA" {
            let kinds: Vec<&str> =
                report["signatures"].as_array().unwrap().iter().map(|x| x["kind"].as_str().unwrap()).collect();
            assert_eq!(kinds, ["signature", "document-timestamp"]);
        }
        if level == "B-LT" {
            let v = &signed["signed"][0]["validation"];
            assert!(v["crls"].as_u64().unwrap() >= 1, "the CA's CRL was fetched: {v}");
            let missing = v["missing"].as_array().unwrap();
            assert!(
                missing.iter().all(|m| m.as_str().unwrap().contains("TSA")),
                "only the TSA's certificate names no revocation address: {missing:?}"
            );
        }
    }
}

/// The signature check of the one regular signature of a report.
fn signature_check(report: &serde_json::Value) -> serde_json::Value {
    let sig = report["signatures"].as_array().unwrap().iter().find(|s| s["kind"] == "signature").unwrap();
    sig["checks"].as_array().unwrap().iter().find(|c| c["check"] == "signature").unwrap().clone()
}

#[test]
fn revocation_is_judged_at_the_time_the_time_stamp_proves() {
    let s = Setup::new();
    s.env.write("contract.pdf", contract_pdf(&["Service agreement"]));
    let ca = |args: &str| {
        let out = Command::new("bash").arg("-c").arg(args).current_dir(s.env.dir.path()).output().unwrap();
        assert!(out.status.success(), "{args}: {}", text(&out.stderr));
    };
    // alice signs and time-stamps now; her key is revoked two hours later (the CA's clock moved
    // with faketime), the CRL published then.
    s.sign("contract.pdf", "alice.pdf", "alice", &["--level", "B-T"]);
    ca("faketime '2 hours' openssl ca -config ca.cnf -revoke alice.pem -crl_reason keyCompromise \
        && faketime '2 hours' openssl ca -gencrl -config ca.cnf -out later.crl.pem");
    let (code, report) = s.verify_offline("alice.pdf", &["--revocation", "later.crl.pem"]);
    let check = signature_check(&report);
    assert_eq!((code, report["result"].as_str()), (0, Some("TOTAL-PASSED")), "{report:#}");
    assert!(check["detail"].as_str().unwrap().contains("revoked only at"), "{check}");
    // Offline with no revocation data at all: undecided, naming what is missing.
    let (code, report) = s.verify_offline("alice.pdf", &[]);
    let check = signature_check(&report);
    assert_eq!((code, check["reason"].as_str()), (7, Some("REVOCATION_MISSING")), "{report:#}");
    assert!(check["detail"].as_str().unwrap().contains("CN=alice Signer"), "{check}");

    // bob's key was revoked two hours ago; he signs and time-stamps now: REVOKED, from the CRL.
    ca("faketime '2 hours ago' openssl ca -config ca.cnf -revoke bob.pem -crl_reason keyCompromise \
        && openssl ca -gencrl -config ca.cnf -out now.crl.pem");
    s.sign("contract.pdf", "bob.pdf", "bob", &["--level", "B-T"]);
    let (code, report) = s.verify_offline("bob.pdf", &["--revocation", "now.crl.pem"]);
    let check = signature_check(&report);
    assert_eq!(
        (code, report["result"].as_str(), check["reason"].as_str()),
        (1, Some("TOTAL-FAILED"), Some("REVOKED")),
        "{report:#}"
    );
    assert!(check["detail"].as_str().unwrap().contains("key compromise"), "{check}");
    // The same signature without its time-stamp's proof of time cannot be placed before or
    // after the revocation: a B-B signature by bob is REVOKED_NO_POE.
    s.sign("contract.pdf", "bob-bb.pdf", "bob", &["--level", "B-B"]);
    let (code, report) = s.verify_offline("bob-bb.pdf", &["--revocation", "now.crl.pem"]);
    assert_eq!((code, signature_check(&report)["reason"].as_str()), (7, Some("REVOKED_NO_POE")), "{report:#}");

    // carol's certificate names the OCSP responder, which answers from the CA's database: revoked
    // an hour ago, she signs now; fetched with --online, the OCSP response says REVOKED.
    ca("faketime '1 hour ago' openssl ca -config ca.cnf -revoke carol.pem -crl_reason superseded");
    s.sign("contract.pdf", "carol.pdf", "carol", &["--level", "B-T"]);
    let mut last = serde_json::Value::Null;
    for _ in 0..50 {
        let (code, report) = s.verify("carol.pdf", &[]);
        last = signature_check(&report);
        if code == 1 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert_eq!(last["reason"], "REVOKED", "{last}");
    assert!(last["detail"].as_str().unwrap().contains("OCSP response"), "{last}");
}

#[test]
fn certification_signatures_are_read_by_pyhanko_and_pdfsig_and_their_permission_holds() {
    let s = Setup::new();
    s.env.write("contract.pdf", contract_pdf(&["Framework agreement"]));
    // Form filling and signing permitted: a later signature keeps both valid, for pyHanko too.
    let signed = s.sign("contract.pdf", "certified.pdf", "alice", &["--level", "B-T", "--certify", "form-filling"]);
    assert_eq!(signed["signed"][0]["level"], "B-T", "{signed}");
    s.qpdf_check("certified.pdf");
    let levels = s.pyhanko_levels("certified.pdf");
    assert_eq!((levels[0]["docmdp"].as_i64(), levels[0]["bottom_line"].as_bool()), (Some(2), Some(true)), "{levels:?}");
    assert_pdfsig_valid(&s.pdfsig("certified.pdf"), 1);
    let (code, report) = s.verify("certified.pdf", &[]);
    assert_eq!(code, 0, "{report:#}");
    assert!(report["signatures"][0]["certification"].as_str().unwrap().contains("P=2"), "{report:#}");
    let signature_check =
        report["signatures"][0]["checks"].as_array().unwrap().iter().find(|c| c["check"] == "signature");
    let detail = signature_check.unwrap()["detail"].as_str().unwrap();
    assert!(detail.contains("a certification signature: it permits form filling"), "{detail}");
    s.sign("certified.pdf", "certified-then-signed.pdf", "bob", &["--level", "B-T"]);
    let levels = s.pyhanko_levels("certified-then-signed.pdf");
    assert!(levels.iter().all(|l| l["bottom_line"] == true), "pyHanko: {levels:?}");
    let (code, report) = s.verify("certified-then-signed.pdf", &[]);
    assert_eq!((code, report["result"].as_str()), (0, Some("TOTAL-PASSED")), "{report:#}");

    // No changes permitted: we refuse to sign after it and write nothing; a signature added by
    // other means breaks the certification, for us and for pyHanko.
    s.sign("contract.pdf", "locked.pdf", "alice", &["--level", "B-B", "--certify", "no-changes"]);
    assert_eq!(s.pyhanko_levels("locked.pdf")[0]["docmdp"], 1);
    let out = s.sign_output("locked.pdf", "locked-then-signed.pdf", "bob", &["--level", "B-B"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("CERTIFICATION_FORBIDS"), "{}", text(&out.stdout));
    assert!(!s.path("locked-then-signed.pdf").exists());
    let out = Command::new("python3")
        .arg(repo().join("tests/fixtures/pdf_tools.py"))
        .args(["approve", "bob.key", "bob.pem", "ca.pem", "Approval", "locked.pdf", "forced.pdf"])
        .current_dir(s.env.dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let levels = s.pyhanko_levels("forced.pdf");
    assert_eq!(levels[0]["bottom_line"], false, "pyHanko judges the certification broken: {levels:?}");
    let (code, report) = s.verify("forced.pdf", &[]);
    assert_eq!(code, 1, "{report:#}");
    let changes = report["signatures"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "modifications")
        .unwrap()
        .clone();
    assert_eq!(changes["reason"], "MODIFIED_AFTER_SIGNING", "{changes}");
    assert!(changes["detail"].as_str().unwrap().contains("DocMDP P=1"), "{changes}");

    // A certification must come first; a permission that does not exist is a usage error.
    let out = s.sign_output("certified.pdf", "twice.pdf", "bob", &["--certify", "annotations"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stdout));
    let out = s.sign_output("contract.pdf", "bad.pdf", "alice", &["--certify", "everything"]);
    assert_eq!(out.status.code(), Some(2), "{}{}", text(&out.stdout), text(&out.stderr));
}

/// Runs `pdf_tools.py` with `args` in the test's directory.
fn pdf_tool(s: &Setup, args: &[&str]) {
    let out = Command::new("python3")
        .arg(repo().join("tests/fixtures/pdf_tools.py"))
        .args(args)
        .current_dir(s.env.dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "pdf_tools {args:?}: {}", text(&out.stderr));
}

/// The `modifications` check of signature `i`.
fn modifications(report: &serde_json::Value, i: usize) -> serde_json::Value {
    report["signatures"][i]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "modifications")
        .unwrap()
        .clone()
}

#[test]
fn field_locks_are_written_as_pyhanko_reads_them_and_a_locked_field_may_not_change() {
    let s = Setup::new();
    s.env.write("contract.pdf", contract_pdf(&["Purchase order"]));
    pdf_tool(&s, &["text-field", "contract.pdf", "form.pdf", "Amount", "100 EUR"]);
    s.sign("form.pdf", "locked.pdf", "alice", &["--level", "B-T", "--lock-fields", "Amount"]);
    s.qpdf_check("locked.pdf");
    let levels = s.pyhanko_levels("locked.pdf");
    assert_eq!(levels[0]["fieldmdp"]["action"], "Include", "{levels:?}");
    assert_eq!(levels[0]["fieldmdp"]["fields"], serde_json::json!(["Amount"]), "{levels:?}");
    assert_eq!(levels[0]["bottom_line"], true, "{levels:?}");
    assert_pdfsig_valid(&s.pdfsig("locked.pdf"), 1);
    let (_, report) = s.verify("locked.pdf", &[]);
    assert_eq!(report["result"], "TOTAL-PASSED", "{report:#}");
    assert_eq!(report["signatures"][0]["locked_fields"], "Amount", "{report:#}");

    // The locked field filled in later: FAILED by pyHanko and by us, the field named.
    pdf_tool(&s, &["fill", "locked.pdf", "refilled.pdf", "Amount", "1000000 EUR"]);
    let levels = s.pyhanko_levels("refilled.pdf");
    assert_eq!(levels[0]["bottom_line"], false, "pyHanko: {levels:?}");
    let (code, report) = s.verify("refilled.pdf", &[]);
    assert_eq!(code, 1, "{report:#}");
    let m = modifications(&report, 0);
    assert_eq!(m["reason"], "MODIFIED_AFTER_SIGNING", "{m}");
    assert!(m["detail"].as_str().unwrap().contains("`Amount` is locked"), "{m}");

    // Locking another field leaves this one free to fill: both verifiers pass it.
    s.sign("form.pdf", "other-lock.pdf", "alice", &["--level", "B-T", "--lock-fields", "all-except:Amount"]);
    assert_eq!(s.pyhanko_levels("other-lock.pdf")[0]["fieldmdp"]["action"], "Exclude");
    pdf_tool(&s, &["fill", "other-lock.pdf", "filled.pdf", "Amount", "120 EUR"]);
    assert_eq!(s.pyhanko_levels("filled.pdf")[0]["bottom_line"], true);
    let (code, report) = s.verify("filled.pdf", &[]);
    assert_eq!((code, report["result"].as_str()), (0, Some("TOTAL-PASSED")), "{report:#}");

    // --lock-fields all locks it too; an empty list is a usage error.
    s.sign("form.pdf", "all.pdf", "alice", &["--level", "B-T", "--lock-fields", "all"]);
    pdf_tool(&s, &["fill", "all.pdf", "all-filled.pdf", "Amount", "1 EUR"]);
    assert_eq!(s.pyhanko_levels("all-filled.pdf")[0]["bottom_line"], false);
    assert_eq!(s.verify("all-filled.pdf", &[]).0, 1);
    let out = s.sign_output("form.pdf", "bad.pdf", "alice", &["--lock-fields", ","]);
    assert_eq!(out.status.code(), Some(2), "{}{}", text(&out.stdout), text(&out.stderr));
}

#[test]
fn b_lt_embeds_ocsp_responses_and_says_what_it_could_not_fetch() {
    let s = Setup::new();
    s.env.write("contract.pdf", contract_pdf(&["Supply contract"]));
    // carol's certificate names an OCSP responder (openssl ocsp), no CRL. Wait until it answers.
    let mut signed = serde_json::Value::Null;
    for _ in 0..50 {
        signed = s.sign("contract.pdf", "ocsp.pdf", "carol", &["--level", "B-LTA"]);
        if signed["signed"][0]["validation"]["ocsps"] == 1 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let v = &signed["signed"][0]["validation"];
    assert_eq!(v["ocsps"], 1, "{v}");
    assert_eq!(v["crls"], 0, "{v}");
    s.qpdf_check("ocsp.pdf");
    let levels = s.pyhanko_levels("ocsp.pdf");
    assert_eq!(levels[0]["level"], "B-LTA", "pyHanko reads the OCSP response from the DSS: {levels:?}");
    assert!(s.pyhanko_validate("ocsp.pdf").contains("The signature is judged VALID."));
    assert_eq!(s.verify("ocsp.pdf", &[]).1["result"], "TOTAL-PASSED");

    // With the responder gone, the signature is made and the note names what could not be had.
    let mut s = s;
    let _ = s.ocsp.kill();
    let _ = s.ocsp.wait();
    let signed = s.sign("contract.pdf", "no-ocsp.pdf", "carol", &["--level", "B-LT"]);
    let missing = signed["signed"][0]["validation"]["missing"].as_array().unwrap().clone();
    let carol = missing
        .iter()
        .map(|m| m.as_str().unwrap())
        .find(|m| m.contains("carol"))
        .unwrap_or_else(|| panic!("{missing:?}"));
    assert!(
        carol.contains("no revocation data could be fetched") && carol.contains("OCSP at http://127.0.0.1:"),
        "{carol}"
    );
    assert_eq!(s.pyhanko_levels("no-ocsp.pdf")[0]["level"], "B-T", "without revocation data pyHanko does not see B-LT");
}

#[test]
fn a_countersignature_keeps_the_first_signature_valid() {
    let s = Setup::new();
    s.env.write("contract.pdf", contract_pdf(&["Purchase contract", "Annex"]));
    s.sign(
        "contract.pdf",
        "first.pdf",
        "alice",
        &["--level", "B-T", "--visible", "1,60,60,200,60", "--reason", "Seller"],
    );
    s.sign("first.pdf", "both.pdf", "bob", &["--level", "B-LTA", "--visible", "1,330,60,200,60", "--reason", "Buyer"]);
    s.qpdf_check("both.pdf");
    let validated = s.pyhanko_validate("both.pdf");
    assert_eq!(validated.matches("The signature is judged VALID.").count(), 2, "{validated}");
    let levels = s.pyhanko_levels("both.pdf");
    let fields: Vec<(&str, &str)> =
        levels.iter().map(|l| (l["field"].as_str().unwrap(), l["level"].as_str().unwrap())).collect();
    assert_eq!(fields, [("Signature1", "B-T"), ("Signature2", "B-LTA")], "{levels:?}");
    assert!(levels.iter().all(|l| l["intact"] == true && l["bottom_line"] == true), "{levels:?}");
    assert_pdfsig_valid(&s.pdfsig("both.pdf"), 2);

    let (code, report) = s.verify("both.pdf", &[]);
    assert_eq!(code, 0, "{report:#}");
    let got = signature_levels(&report);
    assert_eq!(got[0], ("Signature1".into(), "B-T".into(), "TOTAL-PASSED".into()), "{report:#}");
    assert_eq!(got[1], ("Signature2".into(), "B-LTA".into(), "TOTAL-PASSED".into()), "{report:#}");
    let first = &report["signatures"][0];
    assert!(first["changes"].as_array().unwrap().iter().all(|c| c["allowed"] == true), "{first:#}");

    // pyHanko countersigns ours (and updates the document information as it does).
    s.pyhanko_sign("first.pdf", "witnessed.pdf", "Witness", "bob.p12");
    let validated = s.pyhanko_validate("witnessed.pdf");
    assert_eq!(validated.matches("The signature is judged VALID.").count(), 2, "{validated}");
    let (code, report) = s.verify("witnessed.pdf", &[]);
    assert_eq!(code, 0, "{report:#}");
    let got = signature_levels(&report);
    assert_eq!(got[0], ("Signature1".into(), "B-T".into(), "TOTAL-PASSED".into()), "{report:#}");
    assert_eq!(got[1], ("Witness".into(), "B-T".into(), "TOTAL-PASSED".into()), "{report:#}");

    // Received with pyHanko's signature, countersigned while sealing: the received PDF is sealed
    // as received, and the countersigned copy's record names it.
    std::fs::copy(s.path("witnessed.pdf"), s.path("received.pdf")).unwrap();
    let out = s
        .cmd()
        .args(["--json", "seal", "received.pdf", "--identity", "carol", "--password-file", "pw", "--pades"])
        .args(["--pades-level", "B-B", "--visible", "2,330,60,200,60"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    let sealed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let records = sealed["records"].as_array().unwrap();
    let names: Vec<&str> = records.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["received.pdf", "received-signed.pdf"], "{sealed:#}");
    let received_sha = records[0]["digests"]["sha256"].as_str().unwrap();
    let validated = s.pyhanko_validate("received-signed.pdf");
    assert_eq!(validated.matches("The signature is judged VALID.").count(), 3, "{validated}");
    let copy = records[1]["id"].as_str().unwrap();
    let shown: serde_json::Value =
        serde_json::from_slice(&s.cmd().args(["--json", "vault", "show", copy]).output().unwrap().stdout).unwrap();
    let link = shown["events"].as_array().unwrap().iter().find(|e| e["kind"] == "countersigned").expect("linked");
    let payload: serde_json::Value = serde_json::from_str(link["payload"].as_str().unwrap()).unwrap();
    assert_eq!(payload["received"]["sha256"], received_sha, "{payload}");
    assert_eq!(payload["received"]["name"], "received.pdf");
    assert_eq!(payload["earlier_signatures"], 2, "{payload}");
    let out = s.cmd().args(["vault", "verify"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stdout));
}

#[test]
fn object_streams_and_existing_signatures_are_handled() {
    let s = Setup::new();
    s.env.write("plain.pdf", contract_pdf(&["Lease", "Inventory", "Signatures"]));
    // Object streams and a cross-reference stream, as modern producers write.
    s.qpdf(&["--object-streams=generate", "--compress-streams=y", "plain.pdf", "modern.pdf"]);
    let modern = std::fs::read(s.path("modern.pdf")).unwrap();
    assert!(modern.windows(7).any(|w| w == b"/ObjStm"), "qpdf made object streams");
    s.sign("modern.pdf", "modern-signed.pdf", "alice", &["--level", "B-LT", "--visible", "2,100,100,180,60"]);
    s.qpdf_check("modern-signed.pdf");
    assert!(s.pyhanko_validate("modern-signed.pdf").contains("The signature is judged VALID."));
    assert_eq!(s.pyhanko_levels("modern-signed.pdf")[0]["level"], "B-LT");
    assert_eq!(s.verify("modern-signed.pdf", &[]).1["result"], "TOTAL-PASSED");

    // A PDF pyHanko signed first, then us.
    s.pyhanko_sign("modern.pdf", "vendor.pdf", "Vendor", "bob.p12");
    s.sign("vendor.pdf", "vendor-and-us.pdf", "alice", &["--level", "B-T"]);
    s.qpdf_check("vendor-and-us.pdf");
    let validated = s.pyhanko_validate("vendor-and-us.pdf");
    assert_eq!(validated.matches("The signature is judged VALID.").count(), 2, "{validated}");
    let (code, report) = s.verify("vendor-and-us.pdf", &[]);
    assert_eq!(code, 0, "{report:#}");
    let got = signature_levels(&report);
    assert_eq!(got[0], ("Vendor".into(), "B-T".into(), "TOTAL-PASSED".into()), "pyHanko's signature: {report:#}");
    assert_eq!(got[1], ("Signature1".into(), "B-T".into(), "TOTAL-PASSED".into()));
}

#[test]
fn pyhanko_signatures_verify_and_later_content_changes_fail() {
    let s = Setup::new();
    s.env.write("contract.pdf", contract_pdf(&["Loan agreement: 1,000 EUR", "Repayment"]));
    s.pyhanko_sign("contract.pdf", "lender.pdf", "Lender", "alice.p12");
    let (code, report) = s.verify("lender.pdf", &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(signature_levels(&report), [("Lender".into(), "B-T".into(), "TOTAL-PASSED".into())]);

    // pyHanko's incremental writer changes page 1's text after the signature.
    let tools = repo().join("tests/fixtures/pdf_tools.py");
    for (how, expect) in [("tamper", "page 1 was changed"), ("annotate", "page 1's /Annots gained annotations")] {
        let changed = format!("{how}.pdf");
        let out = Command::new("python3")
            .arg(&tools)
            .args([how, "lender.pdf", &changed])
            .current_dir(s.env.dir.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{how}: {}", text(&out.stderr));
        let (code, report) = s.verify(&changed, &[]);
        assert_eq!(code, 1, "{how}: {report:#}");
        assert_eq!(report["result"], "TOTAL-FAILED");
        let checks = report["signatures"][0]["checks"].as_array().unwrap();
        let signature = checks.iter().find(|c| c["check"] == "signature").unwrap();
        assert_eq!(signature["verdict"], "PASSED", "the signed revision itself is intact");
        let m = checks.iter().find(|c| c["check"] == "modifications").unwrap();
        assert_eq!(m["verdict"], "FAILED");
        assert_eq!(m["reason"], "MODIFIED_AFTER_SIGNING");
        assert!(m["detail"].as_str().unwrap().contains(expect), "{how}: {m}");
    }

    // A byte changed inside the signed range: the signature itself fails.
    let mut bytes = std::fs::read(s.path("lender.pdf")).unwrap();
    let at = bytes.windows(9).position(|w| w == b"Repayment").unwrap();
    bytes[at] = b'X';
    s.env.write("flipped.pdf", &bytes);
    let (code, report) = s.verify("flipped.pdf", &[]);
    assert_eq!(code, 1, "{report:#}");
    let checks = report["signatures"][0]["checks"].as_array().unwrap();
    let signature = checks.iter().find(|c| c["check"] == "signature").unwrap();
    assert_eq!(signature["reason"], "HASH_MISMATCH", "{signature}");
}

#[test]
fn a_visible_signature_with_a_chinese_name_renders() {
    let s = Setup::new();
    let out = s
        .cmd()
        .env("EVIDENTIA_PASSWORD", PASSWORD)
        .args(["--json", "identity", "new", "--name", "张伟"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let made: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let name = made["identities"][0]["name"].as_str().unwrap().to_owned();
    s.env.write("contract.pdf", contract_pdf(&["Contract", "Page two"]));
    // A red ring, as a company seal image.
    let png = seal_png();
    s.env.write("seal.png", &png);
    s.sign(
        "contract.pdf",
        "zh.pdf",
        &name,
        &[
            "--level",
            "B-T",
            "--visible",
            "1,330,60,230,80",
            "--reason",
            "合同签署",
            "--location",
            "上海",
            "--image",
            "seal.png",
        ],
    );
    s.qpdf_check("zh.pdf");
    let (code, report) = s.verify("zh.pdf", &["--accept-self-signed"]);
    assert_eq!(code, 0, "{report:#}");
    // Without trusting the self-made signer: INDETERMINATE, but who signed and when is still said.
    let (code, report) = s.verify("zh.pdf", &[]);
    assert_eq!(code, 7, "{report:#}");
    let sig = &report["signatures"][0];
    assert_eq!(sig["checks"][1]["reason"], "NO_TRUSTED_ROOT", "{sig:#}");
    assert_eq!(sig["level"], "B-T");
    assert!(sig["signer"]["subject"].as_str().unwrap().contains("张伟"), "{sig:#}");
    assert!(sig["timestamp"]["gen_time"].is_string(), "{sig:#}");

    // The CJK font is embedded as a subset, with a ToUnicode map.
    let fonts = Command::new("pdffonts").arg(s.path("zh.pdf")).output().expect("pdffonts");
    let fonts = text(&fonts.stdout);
    let line = fonts.lines().find(|l| l.contains("NotoSansSC")).unwrap_or_else(|| panic!("{fonts}"));
    assert!(line.contains("yes yes yes"), "embedded, subset, ToUnicode: {line}");
    let words = Command::new("pdftotext").arg(s.path("zh.pdf")).arg("-").output().expect("pdftotext");
    let words = text(&words.stdout);
    assert!(words.contains("张伟") && words.contains("合同签署") && words.contains("上海"), "{words}");

    // Rendered: the signature's rectangle holds ink, in the seal's red and the text's grey.
    let shots = repo().join("target/screenshots/pdf");
    std::fs::create_dir_all(&shots).unwrap();
    let prefix = shots.join("visible-signature-zh");
    let out = Command::new("pdftoppm")
        .args(["-r", "72", "-f", "1", "-l", "1", "-png", "-singlefile"])
        .arg(s.path("zh.pdf"))
        .arg(&prefix)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (w, h, rgb) = decode_png_rgb(&prefix.with_extension("png"));
    assert_eq!((w, h), (595, 842));
    let pixel = |x: usize, y: usize| -> (u8, u8, u8) {
        let i = (y * w + x) * 3;
        (rgb[i], rgb[i + 1], rgb[i + 2])
    };
    // PDF y from the bottom: the rectangle 330..560 × 60..140 is rows 702..782 from the top.
    let (mut red, mut dark) = (0, 0);
    for y in 702..782 {
        for x in 330..560 {
            let (r, g, b) = pixel(x, y);
            if r > 150 && g < 90 && b < 90 {
                red += 1;
            }
            if r < 120 && g < 120 && b < 120 {
                dark += 1;
            }
        }
    }
    assert!(red > 100, "the seal image is drawn ({red} red pixels)");
    assert!(dark > 150, "the name and time are drawn ({dark} dark pixels)");
    let mut outside = 0;
    for y in 200..600 {
        for x in 0..595 {
            if pixel(x, y) != (255, 255, 255) {
                outside += 1;
            }
        }
    }
    assert_eq!(outside, 0, "nothing is drawn elsewhere on the page");
}

#[test]
/// A company seal made from its texts and kept with the identity is stamped in a box on page 2:
/// pyHanko and pdfsig accept the signature, and the rendered page holds the seal's red inside
/// the box and nothing outside it (page 1 untouched).
fn a_generated_company_seal_is_stamped_inside_the_box_on_page_two() {
    let s = Setup::new();
    s.env.write("contract.pdf", contract_pdf(&["Purchase contract", "Signatures"]));
    let seal = |args: &[&str]| {
        let out = s.cmd().args(["--json", "identity", "seal", "alice"]).args(args).output().unwrap();
        (out.status.code(), serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap_or_default(), out)
    };
    let (code, v, _) = seal(&[]);
    assert_eq!(code, Some(0));
    assert!(v["seal"].is_null(), "{v}");
    let unsealed = s.sign_output("contract.pdf", "none.pdf", "alice", &["--visible", "2,300,420,150,150", "--seal"]);
    assert_eq!(unsealed.status.code(), Some(3), "an identity without a seal: {}", text(&unsealed.stdout));
    assert!(text(&unsealed.stdout).contains("identity seal alice --organisation"), "{}", text(&unsealed.stdout));
    assert!(!s.path("none.pdf").exists());
    let (code, _, out) = seal(&["--organisation", "甲"]);
    assert_eq!(code, Some(3), "a one-character name: {}", text(&out.stdout));
    let (code, v, out) = seal(&[
        "--organisation",
        "深圳市前海证据科技有限公司",
        "--title",
        "合同专用章",
        "--code",
        "91440300MA5FXXXX0Q",
        "--preview",
        "seal-preview.pdf",
    ]);
    assert_eq!(code, Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(v["seal"], "company seal 深圳市前海证据科技有限公司 · 合同专用章", "{v}");
    assert!(std::fs::read(s.path("seal-preview.pdf")).unwrap().starts_with(b"%PDF-"));

    // Page 2, a 150-point square with its lower-left corner at (300, 420).
    s.sign("contract.pdf", "sealed.pdf", "alice", &["--level", "B-T", "--visible", "2,300,420,150,150", "--seal"]);
    s.qpdf_check("sealed.pdf");
    let validated = s.pyhanko_validate("sealed.pdf");
    assert!(validated.contains("The signature is judged VALID."), "{validated}");
    assert_pdfsig_valid(&s.pdfsig("sealed.pdf"), 1);
    let (code, report) = s.verify("sealed.pdf", &[]);
    assert_eq!(code, 0, "{report:#}");
    // The seal's characters are in the page as text (subset CJK font with ToUnicode).
    let words =
        Command::new("pdftotext").args(["-f", "2", "-l", "2"]).arg(s.path("sealed.pdf")).arg("-").output().unwrap();
    assert!(text(&words.stdout).contains("合同专用章"), "{}", text(&words.stdout));

    let shots = repo().join("target/screenshots/pdf");
    std::fs::create_dir_all(&shots).unwrap();
    let mut pages = Vec::new();
    for page in ["1", "2"] {
        let prefix = shots.join(format!("company-seal-page-{page}"));
        let out = Command::new("pdftoppm")
            .args(["-r", "72", "-f", page, "-l", page, "-png", "-singlefile"])
            .arg(s.path("sealed.pdf"))
            .arg(&prefix)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        pages.push(decode_png_rgb(&prefix.with_extension("png")));
    }
    let is_red = |(r, g, b): (u8, u8, u8)| r > 150 && g < 100 && b < 100;
    let count = |(w, _h, rgb): &(usize, usize, Vec<u8>), inside: bool| {
        let mut n = 0;
        // PDF x 300..450, y 420..570 from the bottom: rows 842-570 = 272 .. 422 from the top.
        for (i, px) in rgb.chunks(3).enumerate() {
            let (x, y) = (i % w, i / w);
            let within = (300..450).contains(&x) && (272..422).contains(&y);
            if within == inside && is_red((px[0], px[1], px[2])) {
                n += 1;
            }
        }
        n
    };
    let inside = count(&pages[1], true);
    assert!(inside > 2000, "the seal's red inside the box: {inside} pixels");
    assert_eq!(count(&pages[1], false), 0, "no red outside the box on page 2");
    assert_eq!(count(&pages[0], true) + count(&pages[0], false), 0, "page 1 untouched");
    // The ring reaches all four sides of the box (the seal fills it but for a 6-point margin) and
    // its centre is the box's.
    let (w, _, rgb) = &pages[1];
    let red_at =
        |x: usize, y: usize| is_red((rgb[(y * w + x) * 3], rgb[(y * w + x) * 3 + 1], rgb[(y * w + x) * 3 + 2]));
    let row_has_red = |y: usize| (300..450).any(|x| red_at(x, y));
    let col_has_red = |x: usize| (272..422).any(|y| red_at(x, y));
    assert!(
        row_has_red(281) && row_has_red(413) && col_has_red(309) && col_has_red(441),
        "the ring reaches the box's edges"
    );
    assert!(red_at(375, 347) || red_at(375, 340), "the star is at the centre");

    // Sealed with the seal stamped in it: the signed copy's record says who used which seal where.
    let out = s
        .cmd()
        .args(["--json", "seal", "contract.pdf", "--identity", "alice", "--password-file", "pw", "--pades"])
        .args(["--visible", "last,300,420,150,150", "--with-seal"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    let sealed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = sealed["records"][0]["id"].as_str().unwrap().to_owned();
    let out = s.cmd().args(["--json", "vault", "show", &id]).output().unwrap();
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let used: Vec<&serde_json::Value> =
        shown["events"].as_array().unwrap().iter().filter(|e| e["kind"] == "seal_used").collect();
    assert_eq!(used.len(), 1, "{shown:#}");
    let payload: serde_json::Value = serde_json::from_str(used[0]["payload"].as_str().unwrap()).unwrap();
    assert_eq!(payload["identity"], "alice");
    assert_eq!(payload["seal"], "company seal 深圳市前海证据科技有限公司 · 合同专用章");
    assert_eq!(payload["placement"], "last,300,420,150,150");
    assert_eq!(payload["signed_pdf_sha256"], sealed["signed_pdfs"][0]["sha256"], "{payload}");
    let out = s.cmd().args(["vault", "verify"]).output().unwrap();
    assert!(out.status.success(), "the event is in the unbroken log: {}", text(&out.stdout));
}

#[test]
/// On a page shown turned a quarter (/Rotate 90), a box drawn 260 wide and 120 high on the screen
/// is 120 × 260 in user space; the appearance stands upright as the page is shown: the seal at
/// the box's left, the signer's name and time to its right, nothing outside the box.
fn a_seal_on_a_turned_page_stands_upright_in_the_box_drawn_on_screen() {
    let s = Setup::new();
    s.env.write("landscape.pdf", contract_pdf_turned(&["Landscape schedule"], 90));
    let out = s
        .cmd()
        .args(["identity", "seal", "alice", "--organisation", "深圳贸易有限公司", "--title", "合同专用章"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Screen box (72 dpi, y down): left 100, top 80, 260 × 120. User space (rotate 90):
    // x = top, y = left: x 80..200, y 100..360.
    s.sign("landscape.pdf", "turned.pdf", "alice", &["--level", "B-B", "--visible", "1,80,100,120,260", "--seal"]);
    let validated = s.pyhanko_validate("turned.pdf");
    assert!(validated.contains("The signature is judged VALID."), "{validated}");
    let shots = repo().join("target/screenshots/pdf");
    std::fs::create_dir_all(&shots).unwrap();
    let prefix = shots.join("company-seal-turned-page");
    let out = Command::new("pdftoppm")
        .args(["-r", "72", "-png", "-singlefile"])
        .arg(s.path("turned.pdf"))
        .arg(&prefix)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (w, h, rgb) = decode_png_rgb(&prefix.with_extension("png"));
    assert_eq!((w, h), (842, 595), "shown turned");
    let (mut red_left, mut red_right, mut dark_right, mut outside) = (0, 0, 0, 0);
    for (i, px) in rgb.chunks(3).enumerate() {
        let (x, y) = (i % w, i / w);
        let (r, g, b) = (px[0], px[1], px[2]);
        let red = r > 150 && g < 100 && b < 100;
        let dark = r < 120 && g < 120 && b < 120;
        let within = (100..360).contains(&x) && (80..200).contains(&y);
        if !within {
            // The page's own line of text sits at user (72, 760): along the right edge when turned.
            if red || (dark && x < 700) {
                outside += 1;
            }
        } else if x < 230 {
            red_left += usize::from(red);
        } else {
            red_right += usize::from(red);
            dark_right += usize::from(dark);
        }
    }
    assert_eq!(outside, 0, "nothing drawn outside the box");
    assert!(red_left > 1000, "the seal at the box's left: {red_left} red pixels");
    assert_eq!(red_right, 0, "no seal to the right");
    assert!(dark_right > 150, "the name and time to the seal's right: {dark_right} dark pixels");
}

/// A 120 × 120 RGBA PNG of a red ring.
fn seal_png() -> Vec<u8> {
    let (w, h) = (120u32, 120u32);
    let mut raw = Vec::new();
    for y in 0..h as i32 {
        raw.push(0);
        for x in 0..w as i32 {
            let d = (x - 60).pow(2) + (y - 60).pow(2);
            raw.extend(if (2500..3300).contains(&d) { [0xCC, 0x22, 0x22, 0xFF] } else { [0, 0, 0, 0] });
        }
    }
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [(&b"IHDR"[..], ihdr), (b"IDAT", zlib_store(&raw)), (b"IEND", Vec::new())] {
        png.extend((data.len() as u32).to_be_bytes());
        let mut chunk = kind.to_vec();
        chunk.extend(&data);
        png.extend(&chunk);
        png.extend(crc32(&chunk).to_be_bytes());
    }
    png
}

/// Zlib with stored (uncompressed) blocks.
fn zlib_store(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = data.chunks(65535).collect();
    for (i, block) in blocks.iter().enumerate() {
        out.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        out.extend(len.to_le_bytes());
        out.extend((!len).to_le_bytes());
        out.extend(*block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + byte as u32) % 65521;
        b = (b + a) % 65521;
    }
    out.extend(((b << 16) | a).to_be_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= byte as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// Decodes a PNG to RGB with Python's standard library (zlib), for pixel checks.
fn decode_png_rgb(path: &Path) -> (usize, usize, Vec<u8>) {
    let script = r#"
import sys, zlib, struct
d = open(sys.argv[1], 'rb').read()
pos, idat, w, h, ct = 8, b'', 0, 0, 0
while pos < len(d):
    n = struct.unpack('>I', d[pos:pos+4])[0]; kind = d[pos+4:pos+8]; body = d[pos+8:pos+8+n]; pos += 12 + n
    if kind == b'IHDR': w, h, bd, ct = struct.unpack('>IIBB', body[:10])
    elif kind == b'IDAT': idat += body
raw = zlib.decompress(idat); bpp = {2: 3, 6: 4, 0: 1}[ct]; stride = w * bpp
out, prev = bytearray(), bytearray(stride)
for y in range(h):
    f = raw[y*(stride+1)]; line = bytearray(raw[y*(stride+1)+1:(y+1)*(stride+1)])
    for i in range(stride):
        a = line[i-bpp] if i >= bpp else 0; b = prev[i]; c = prev[i-bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p-a), abs(p-b), abs(p-c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    prev = line
    for x in range(w):
        px = line[x*bpp:(x+1)*bpp]
        out += bytes(px[:3]) if bpp >= 3 else bytes([px[0]] * 3)
sys.stdout.buffer.write(struct.pack('>II', w, h) + bytes(out))
"#;
    let out = Command::new("python3").arg("-c").arg(script).arg(path).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let w = u32::from_be_bytes(out.stdout[0..4].try_into().unwrap()) as usize;
    let h = u32::from_be_bytes(out.stdout[4..8].try_into().unwrap()) as usize;
    (w, h, out.stdout[8..].to_vec())
}

#[test]
fn bad_pdfs_get_clear_errors_and_nothing_is_written() {
    let s = Setup::new();
    let original = contract_pdf(&["Confidential"]);
    s.env.write("contract.pdf", &original);
    s.qpdf(&["--encrypt", "user-pw", "owner-pw", "256", "--", "contract.pdf", "encrypted.pdf"]);
    s.env.write("truncated.pdf", &original[..original.len() / 2]);
    s.env.write("not.pdf", b"PK\x03\x04 this is a zip, not a contract");
    let cases: [(&str, &[&str], &str, &str); 6] = [
        ("encrypted.pdf", &[], "PDF_ENCRYPTED", "password-protected"),
        ("truncated.pdf", &[], "PDF_UNREADABLE", "truncated"),
        ("not.pdf", &[], "NOT_PDF", "not a PDF"),
        ("contract.pdf", &["--visible", "4,10,10,100,40"], "BAD_PLACEMENT", "page 4 does not exist"),
        ("contract.pdf", &["--visible", "1,10,10"], "BAD_PLACEMENT", "page,x,y,width,height"),
        ("contract.pdf", &["--visible", "1,500,60,200,70"], "BAD_PLACEMENT", "does not fit on page 1 (595 × 842"),
    ];
    for (input, extra, code, words) in cases {
        let out = s.sign_output(input, "out.pdf", "alice", extra);
        assert_eq!(out.status.code(), Some(3), "{input} {extra:?}: {}", text(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["error"]["code"], code, "{input}: {v}");
        let message = v["error"]["message"].as_str().unwrap();
        assert!(message.contains(words), "{input}: {message}");
        assert!(!s.path("out.pdf").exists(), "{input}: nothing written");
    }
    // The TSA is down at B-T: nothing is written, no partial file is left.
    let out = s
        .cmd()
        .env("EVIDENTIA_TSA", format!("http://127.0.0.1:{}/tsa", crate::support::closed_port()))
        .env("EVIDENTIA_TSA_RETRIES", "0")
        .args([
            "--json",
            "pdf",
            "sign",
            "contract.pdf",
            "-o",
            "out.pdf",
            "--identity",
            "alice",
            "--password-file",
            "pw",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6), "{}", text(&out.stderr));
    let leftovers: Vec<_> = std::fs::read_dir(s.env.dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .filter(|n| n.to_string_lossy().contains("out.pdf"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // A PDF with no signature is not "passed".
    let (code, report) = s.verify("contract.pdf", &[]);
    assert_eq!(code, 7, "{report:#}");
    assert_eq!(report["result"], "INDETERMINATE");
    assert_eq!(std::fs::read(s.path("contract.pdf")).unwrap(), original, "the input is untouched");
}

#[test]
fn a_batch_is_signed_with_one_password() {
    let s = Setup::new();
    let mut inputs = Vec::new();
    for i in 0..12 {
        let name = format!("in/contract-{i:02}.pdf");
        s.env.write(&name, contract_pdf(&[&format!("Contract number {i}")]));
        inputs.push(name);
    }
    // One damaged file among them does not stop the others.
    let whole = contract_pdf(&["Broken"]);
    s.env.write("in/contract-broken.pdf", &whole[..whole.len() - 40]);
    inputs.insert(5, "in/contract-broken.pdf".into());
    // Another folder's contract-03.pdf would be written over the first one's signed copy.
    s.env.write("in2/contract-03.pdf", contract_pdf(&["Another contract number 3"]));
    inputs.push("in2/contract-03.pdf".into());
    let out = s
        .cmd()
        // Six PDFs at once: their time-stamp requests overlap.
        .env("EVIDENTIA_TSA_CONCURRENCY", "6")
        .args(["--json", "pdf", "sign"])
        .args(&inputs)
        .args(["--out-dir", "out", "--identity", "alice", "--password-file", "pw", "--level", "B-T"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let signed = v["signed"].as_array().unwrap();
    assert_eq!(signed.len(), 12);
    // In the order given, whatever order they finished in.
    for (i, one) in signed.iter().enumerate() {
        assert!(one["output"].as_str().unwrap().ends_with(&format!("out/contract-{i:02}-signed.pdf")), "{one}");
    }
    let failed = v["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 2, "{v:#}");
    assert_eq!(failed[0]["file"], "in/contract-broken.pdf");
    assert_eq!(failed[0]["code"], "PDF_UNREADABLE");
    assert_eq!(failed[1]["file"], "in2/contract-03.pdf");
    assert!(failed[1]["message"].as_str().unwrap().contains("another PDF of this batch"), "{v:#}");
    assert!(!s.path("out/contract-broken-signed.pdf").exists());
    // Every copy carries its own verified signature time-stamp.
    let mut serials = std::collections::HashSet::new();
    for i in 0..12 {
        let file = format!("out/contract-{i:02}-signed.pdf");
        let report = s.verify(&file, &[]).1;
        assert_eq!(report["result"], "TOTAL-PASSED", "{file}");
        let words = Command::new("pdftotext").arg(s.path(&file)).arg("-").output().unwrap();
        assert!(text(&words.stdout).contains(&format!("Contract number {i}")), "{file} holds its own contract");
        serials.insert(report["signatures"][0]["timestamp"]["serial"].as_str().unwrap().to_owned());
    }
    assert_eq!(serials.len(), 12, "twelve tokens, one per PDF");
    for i in [0, 7, 11] {
        s.qpdf_check(&format!("out/contract-{i:02}-signed.pdf"));
    }
    assert!(s.pyhanko_validate("out/contract-05-signed.pdf").contains("The signature is judged VALID."));
}

#[test]
fn sealing_a_pdf_signs_it_inside_and_the_package_checks_both_signatures() {
    let s = Setup::new();
    s.env.write("deal.pdf", contract_pdf(&["Distribution agreement"]));
    let out = s
        .cmd()
        .args(["--json", "seal", "deal.pdf", "--identity", "alice", "--password-file", "pw", "--pades"])
        .args(["--visible", "1,320,60,220,70", "--reason", "Agreed"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let sealed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sealed["signed_pdfs"][0]["level"], "B-T");
    let record = &sealed["records"][0];
    assert_eq!(record["name"], "deal-signed.pdf");
    assert!(record["signature"].is_object(), "the record also has its detached CAdES signature: {record}");
    assert!(s.pyhanko_validate("deal-signed.pdf").contains("The signature is judged VALID."));

    let id = record["id"].as_str().unwrap();
    let out = s.cmd().args(["export", id, "-o", "deal.asice", "--lang", "en"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Offline, nothing in the package says alice was not revoked; online the CA's CRL does.
    let out = s.cmd().args(["--json", "verify", "deal.asice", "--trust", "ca.pem"]).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["result"], "INDETERMINATE", "{report:#}");
    assert!(report.to_string().contains("REVOCATION_MISSING"), "{report:#}");
    let out = s.cmd().args(["--json", "verify", "deal.asice", "--trust", "ca.pem", "--online"]).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["result"], "TOTAL-PASSED", "{report:#}");
    let checks = report["records"][0]["checks"].as_array().unwrap();
    let kinds: Vec<&str> = checks.iter().map(|c| c["check"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"signature") && kinds.contains(&"pdf_signature"), "{kinds:?}");
    let pdf = checks.iter().find(|c| c["check"] == "pdf_signature").unwrap();
    assert_eq!(pdf["verdict"], "PASSED");
    assert!(pdf["detail"].as_str().unwrap().contains("PAdES-B-T by CN=alice Signer"), "{pdf}");
}

/// The level is chosen by the core for the CLI and the app alike: the app's `seal` answers the same
/// code and exit (src-tauri `pades_request_with_an_unknown_level_is_refused`).
#[test]
fn an_unknown_pades_level_is_bad_level_exit_2_and_writes_nothing() {
    let s = Setup::new();
    s.env.write("deal.pdf", contract_pdf(&["Distribution agreement"]));
    let seal = ["--json", "seal", "deal.pdf", "--identity", "alice", "--password-file", "pw", "--pades"];
    let sign = ["--json", "pdf", "sign", "deal.pdf", "--identity", "alice", "--password-file", "pw"];
    for (args, flag) in [(&seal[..], "--pades-level"), (&sign[..], "--level")] {
        let out = s.cmd().args(args).args([flag, "B-Z"]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["error"]["code"], "BAD_LEVEL", "{v}");
        assert!(v["error"]["message"].as_str().unwrap().contains("B-Z"), "{v}");
    }
    assert!(!s.path("deal-signed.pdf").exists());
    assert!(!s.env.vault_exists(), "nothing sealed");
}

#[test]
fn pdf_extend_takes_a_signed_pdf_to_b_lta_and_renews_it_keeping_every_signature_valid() {
    let s = Setup::new();
    s.env.write("contract.pdf", contract_pdf(&["Lease agreement"]));
    s.sign("contract.pdf", "signed.pdf", "carol", &["--level", "B-T"]);
    assert_eq!(s.pyhanko_levels("signed.pdf")[0]["level"], "B-T");
    // carol's certificate names an OCSP responder that may take a moment to answer.
    let mut extended = serde_json::Value::Null;
    for _ in 0..50 {
        extended = s.extend("signed.pdf", "extended.pdf");
        if extended["validation"]["ocsps"] == 1 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert_eq!(extended["validation"]["ocsps"], 1, "{extended:#}");
    assert_eq!(extended["signatures"], 1, "{extended:#}");
    s.qpdf_check("extended.pdf");
    let levels = s.pyhanko_levels("extended.pdf");
    assert_eq!(levels[0]["level"], "B-LTA", "pyHanko reads the new level: {levels:?}");
    assert!(s.pyhanko_validate("extended.pdf").contains("The signature is judged VALID."));
    assert_pdfsig_valid(&s.pdfsig("extended.pdf"), 1);

    // Renewed again in place, as before its time-stamp weakens: a second document time-stamp;
    // the signature and both document time-stamps valid for pyHanko, and for us.
    let again = s.extend("extended.pdf", "extended.pdf");
    assert_eq!(again["signatures"], 2, "{again:#}");
    let out = Command::new("python3")
        .arg(repo().join("tests/fixtures/pdf_tools.py"))
        .arg("levels")
        .args(s.trust_args())
        .arg("extended.pdf")
        .current_dir(s.env.dir.path())
        .output()
        .unwrap();
    let lines: Vec<serde_json::Value> = text(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let stamps: Vec<&serde_json::Value> = lines.iter().filter(|l| l.get("document_timestamp").is_some()).collect();
    assert_eq!(stamps.len(), 2, "{lines:?}");
    assert!(stamps.iter().all(|t| t["valid"] == true), "{lines:?}");
    assert_eq!(lines[0]["level"], "B-LTA", "{lines:?}");
    assert!(lines[0]["intact"] == true && lines[0]["bottom_line"] == true, "{lines:?}");
    let (code, report) = s.verify("extended.pdf", &[]);
    assert_eq!(code, 0, "{report:#}");

    // A PDF nobody signed: nothing to extend, and nothing written.
    let out = s.extend_output("contract.pdf", "unsigned-extended.pdf");
    assert_ne!(out.status.code(), Some(0));
    assert!(text(&out.stderr).contains("nothing to extend"), "{}", text(&out.stderr));
    assert!(!s.env.path("unsigned-extended.pdf").exists());
}

#!/usr/bin/env python3
"""Fills a Dovecot user's INBOX Maildir with N varied messages, written directly
(tmp/ is skipped: nothing reads the Maildir while this runs).

usage: populate.py MAILDIR COUNT UID GID
"""
import base64, os, random, sys, time, email.utils

root, count, uid, gid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
random.seed(42)
for sub in ("", "cur", "new", "tmp"):
    os.makedirs(os.path.join(root, sub), exist_ok=True)
    os.chown(os.path.join(root, sub), uid, gid)

names = ["Alice Ferris", "Bob Okafor", "=?UTF-8?B?" + base64.b64encode("Jörg Müller".encode()).decode() + "?=",
         "=?UTF-8?B?" + base64.b64encode("田中 花子".encode()).decode() + "?=", "Chidi Nwosu", "Dana Weiss",
         "CI Bot", "The Weekly Byte", "=?ISO-8859-1?Q?Fran=E7ois_L=E9v=EAque?="]
subjects = ["Quarterly report", "Re: lunch tomorrow?", "[build] main passed", "Invoice {n}",
            "=?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln_{n}?=", "=?UTF-8?B?" + base64.b64encode("会議の件".encode()).decode() + "?=",
            "Meeting notes #{n}", "=?UTF-8?Q?Party_=F0=9F=8E=89_{n}?=", "Your order {n} has shipped"]
words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt".split()
attachment = base64.encodebytes(os.urandom(3000)).decode()
now = time.time()
base = int(now)
for i in range(count):
    n = i + 1
    date = email.utils.formatdate(now - (count - i) * 900)
    who = names[i % len(names)]
    subj = subjects[i % len(subjects)].replace("{n}", str(n))
    body = " ".join(random.choice(words) for _ in range(random.randint(30, 600)))
    refs = f"References: <m{n-1}@bench.example>\r\nIn-Reply-To: <m{n-1}@bench.example>\r\n" if i % 10 == 3 else ""
    head = (f"From: {who} <user{i % 97}@bench.example>\r\nTo: bench@localhost\r\nSubject: {subj}\r\n"
            f"Date: {date}\r\nMessage-ID: <m{n}@bench.example>\r\n{refs}MIME-Version: 1.0\r\n")
    kind = i % 4
    if kind == 0:
        msg = head + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n"
    elif kind == 1:
        msg = head + "Content-Type: text/html; charset=utf-8\r\n\r\n<p>" + body + "</p>\r\n"
    elif kind == 2:
        msg = (head + 'Content-Type: multipart/alternative; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n'
               + body + "\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>" + body + "</p>\r\n--b--\r\n")
    else:
        msg = (head + 'Content-Type: multipart/mixed; boundary="m"\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\n'
               + body + '\r\n--m\r\nContent-Type: application/octet-stream; name="data.bin"\r\n'
               'Content-Disposition: attachment; filename="data.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
               + attachment + "--m--\r\n")
    raw = msg.encode()
    seen = "S" if i % 3 else ""
    path = os.path.join(root, "cur", f"{base}.M{i}P{os.getpid()}.bench,S={len(raw)}:2,{seen}")
    with open(path, "wb") as f:
        f.write(raw)
    os.chown(path, uid, gid)
print(f"wrote {count} messages into {root}")

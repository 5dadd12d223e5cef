/**
 * The browser client's file sharing, a part of its script (`page.ts` puts it inside its own and
 * calls `files.handle(frame)` for the file frames, `files.refused(frame)` for errors).
 *
 * Sending: a file chosen with the picker (the "Send a file" button, or `/send [NICK]`) or dropped
 * on the messages is hashed (SHA-256), offered on the WebSocket (`offer`, section 5.6 of
 * docs/PROTOCOL.md), and on `offer_ok` uploaded with `POST /files/ID/TOKEN` on the same port,
 * with a progress bar. Receiving: a `file` frame shows who sends what and a Download button;
 * the download (`GET` with the recipient's own token) is hashed and compared with the declared
 * SHA-256 before the browser is asked to save it, under the safe name the server gives in the
 * link; the sender then hears `saved`, or why not.
 *
 * Uses, from the page's script: `state`, `send`, `addLine`, `system`, `showError`,
 * `activeName`, `formatSize`, `str`, and `sha256Hex` (`sha256_script.ts`).
 */

/** The script: defines `files` (and helpers), no other top-level names. */
export const FILES_SCRIPT = String.raw`
  var files = (function () {
    var offers = new Map(); // ref -> { file, name, target, line, bar }
    var incoming = new Map(); // id -> { frame, sha256, name, button, bar }
    var nextRef = 1;
    var pickFor = "";
    var picker = document.getElementById("file");
    var pickButton = document.getElementById("file-button");
    var logsArea = document.getElementById("logs");

    function hex(buffer) {
      var bytes = new Uint8Array(buffer);
      var out = "";
      for (var i = 0; i < bytes.length; i++) out += (bytes[i] + 0x100).toString(16).slice(1);
      return out;
    }

    /** SHA-256 of an ArrayBuffer: the browser's own where allowed (HTTPS, localhost), else ours. */
    function digest(buffer) {
      if (window.isSecureContext && window.crypto && crypto.subtle) {
        return crypto.subtle.digest("SHA-256", buffer).then(hex);
      }
      return Promise.resolve(sha256Hex(new Uint8Array(buffer)));
    }

    /** The safe name the server put at the end of the link, or "file". */
    function safeName(frame) {
      try {
        var path = new URL(str(frame.url), location.href).pathname;
        var last = decodeURIComponent(path.slice(path.lastIndexOf("/") + 1));
        return last || "file";
      } catch (_) {
        return "file";
      }
    }

    function progressBar(li, label) {
      var bar = document.createElement("progress");
      bar.max = 1;
      bar.value = 0;
      bar.setAttribute("aria-label", label);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(bar);
      return bar;
    }

    // ---- sending --------------------------------------------------------------------------

    function choose(nick) {
      pickFor = nick || "";
      picker.value = "";
      picker.click();
    }

    function sendFile(file, nick) {
      var ref = "w" + nextRef++;
      var target = nick ? nick : "#" + activeName();
      var li = addLine(nick ? null : activeName(), "system",
        ["* Offering " + file.name + " (" + formatSize(file.size) + ") to " + target]);
      var entry = { file: file, name: file.name, target: target, line: li, bar: null };
      file.arrayBuffer().then(digest).then(function (sha256) {
        var offer = { type: "offer", ref: ref, name: file.name, size: file.size, sha256: sha256 };
        if (nick) offer.to = nick; else offer.room = activeName();
        offers.set(ref, entry);
        if (!send(offer)) {
          offers.delete(ref);
          showError(null, "Cannot send " + file.name + ": not connected");
        }
      }, function () {
        showError(null, "Cannot send " + file.name + ": the browser could not read it");
      });
    }

    function upload(frame) {
      var entry = offers.get(str(frame.ref));
      if (!entry) return;
      offers.delete(str(frame.ref));
      entry.bar = progressBar(entry.line, "Upload of " + entry.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/files/" + encodeURIComponent(str(frame.id)) + "/" +
        encodeURIComponent(str(frame.token)));
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable && event.total > 0) entry.bar.value = event.loaded / event.total;
      });
      xhr.addEventListener("load", function () {
        if (xhr.status === 200) { entry.bar.value = 1; return; }
        // A failed transfer is told on the chat connection too; this is for the rest.
        if (xhr.status !== 422) {
          showError(null, "Upload of " + entry.name + " failed: " + xhr.status + " " +
            String(xhr.responseText).trim());
        }
      });
      xhr.addEventListener("error", function () {
        showError(null, "Upload of " + entry.name + " failed: the connection broke");
      });
      xhr.send(entry.file);
    }

    // ---- receiving ------------------------------------------------------------------------

    function offered(frame) {
      var name = safeName(frame);
      var from = str(frame.from);
      var item = { frame: frame, sha256: str(frame.sha256), name: name, button: null, bar: null };
      incoming.set(str(frame.id), item);
      var parts = frame.to
        ? ["[private] * ", { cls: "nick", text: from }, " is sending you "]
        : ["* ", { cls: "nick", text: from }, " is sending "];
      parts.push({ cls: "file-name", text: name }, " (" + formatSize(frame.size) + ") ");
      var li = addLine(frame.to ? null : frame.room, "system file", parts, frame.time);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "download";
      button.textContent = "Download";
      button.setAttribute("aria-label", "Download " + name + " from " + from);
      button.addEventListener("click", function () { download(item); });
      li.appendChild(button);
      item.button = button;
      item.line = li;
    }

    function download(item) {
      var frame = item.frame;
      item.button.disabled = true;
      if (!item.bar) item.bar = progressBar(item.line, "Download of " + item.name);
      item.bar.value = 0;
      var xhr = new XMLHttpRequest();
      xhr.open("GET", "/files/" + encodeURIComponent(str(frame.id)) + "/" +
        encodeURIComponent(str(frame.token)) + "/" + encodeURIComponent(item.name));
      xhr.responseType = "arraybuffer";
      xhr.addEventListener("progress", function (event) {
        var size = typeof frame.size === "number" && frame.size > 0 ? frame.size : 0;
        if (size > 0) item.bar.value = Math.min(1, event.loaded / size);
      });
      xhr.addEventListener("load", function () {
        if (xhr.status !== 200) {
          return failed(item, xhr.status === 404 || xhr.status === 410
            ? "it is no longer on the server" : "the server answered " + xhr.status,
            "the download failed");
        }
        var buffer = xhr.response;
        if (!buffer || buffer.byteLength !== frame.size) {
          return failed(item, "the transfer was cut short", "the transfer was cut short");
        }
        digest(buffer).then(function (sha256) {
          if (!item.sha256 || sha256 !== item.sha256) {
            return failed(item, "it does not match the checksum its sender declared",
              "what arrived did not match the file's checksum");
          }
          item.bar.value = 1;
          offerToSave(buffer, item.name);
          system(frame.to ? null : frame.room, "Checked " + item.name + " from " +
            str(frame.from) + " (" + formatSize(frame.size) + ", SHA-256 verified): saved");
          send({ type: "saved", id: str(frame.id) });
        });
      });
      xhr.addEventListener("error", function () {
        failed(item, "the connection broke", "the transfer was cut short");
      });
      xhr.send();
    }

    function failed(item, why, told) {
      item.button.disabled = false;
      showError(item.frame.to ? null : item.frame.room, "Could not receive " + item.name +
        " from " + str(item.frame.from) + ": " + why);
      send({ type: "saved", id: str(item.frame.id), error: told });
    }

    /** Asks the browser to save the bytes under the safe name (a download, never opened). */
    function offerToSave(buffer, name) {
      var url = URL.createObjectURL(new Blob([buffer], { type: "application/octet-stream" }));
      var a = document.createElement("a");
      a.href = url;
      a.download = name;
      a.hidden = true;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
    }

    function transfer(frame) {
      var item = incoming.get(str(frame.id));
      if (item && frame.state === "uploaded" && frame.sha256) item.sha256 = str(frame.sha256);
      if (item && frame.state === "failed") {
        incoming.delete(str(frame.id));
        if (item.button) item.button.disabled = true;
        showError(item.frame.to ? null : item.frame.room, "Could not receive " + item.name +
          " from " + str(item.frame.from) + ": " + str(frame.reason));
        return;
      }
      if (item) return; // what the sender hears: not for receivers
      var name = str(frame.name);
      var reason = frame.reason ? ": " + str(frame.reason) : "";
      if (frame.state === "failed") showError(null, "Transfer of " + name + " failed" + reason);
      else if (frame.state === "uploaded") system(null, name + " uploaded and verified" + reason);
      else if (frame.state === "delivered") system(null, name + " delivered" + reason);
    }

    // ---- wiring ---------------------------------------------------------------------------

    pickButton.addEventListener("click", function () { choose(""); });
    picker.addEventListener("change", function () {
      var nick = pickFor;
      pickFor = "";
      Array.prototype.forEach.call(picker.files || [], function (file) { sendFile(file, nick); });
    });
    logsArea.addEventListener("dragover", function (event) {
      if (!event.dataTransfer || Array.prototype.indexOf.call(event.dataTransfer.types, "Files") < 0) {
        return;
      }
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
      logsArea.classList.add("dropping");
    });
    logsArea.addEventListener("dragleave", function () { logsArea.classList.remove("dropping"); });
    logsArea.addEventListener("drop", function (event) {
      logsArea.classList.remove("dropping");
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      event.preventDefault();
      Array.prototype.forEach.call(event.dataTransfer.files, function (file) { sendFile(file, ""); });
    });

    return {
      choose: choose,
      handle: function (frame) {
        if (frame.type === "file") offered(frame);
        else if (frame.type === "offer_ok") upload(frame);
        else if (frame.type === "transfer") transfer(frame);
      },
      /** An error answering one of our offers: true when it was one. */
      refused: function (frame) {
        var entry = offers.get(str(frame.id));
        if (!entry) return false;
        offers.delete(str(frame.id));
        showError(null, "Cannot send " + entry.name + ": " + str(frame.message));
        return true;
      }
    };
  })();
`;

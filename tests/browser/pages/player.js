// The browser tests' player: what a web client on another origin does with the API.
// `playback(options)` starts a session (POST with the patron's token), plays its master
// playlist with hls.js from the position the API answers, sends heartbeats with the
// position, and records what happens in `window.journal` for the test to read.
"use strict";

window.journal = [];

function note(entry) {
  window.journal.push({ ...entry, wall: performance.now() });
}

window.playback = async function playback(options) {
  const headers = { Authorization: `Token ${options.token}`, Accept: "application/json" };
  const answer = await fetch(`${options.api}/api/v1/films/${options.film}/playback/`, {
    method: "POST",
    headers,
  });
  const session = await answer.json();
  if (answer.status !== 201) {
    throw new Error(`playback start: ${answer.status} ${JSON.stringify(session)}`);
  }
  const video = document.getElementById("video");
  const hls = new Hls({ startPosition: session.resume_from, ...(options.hls || {}) });
  window.hls = hls;
  window.session = session;
  hls.on(Hls.Events.ERROR, (event, data) =>
    note({
      type: "error",
      kind: data.type,
      fatal: data.fatal,
      details: data.details,
      status: data.response ? data.response.code : null,
    }),
  );
  hls.on(Hls.Events.FRAG_LOADED, (event, data) =>
    note({ type: "fragment", kind: data.frag.type, sn: data.frag.sn, level: data.frag.level }),
  );
  video.addEventListener("playing", () => note({ type: "playing", at: video.currentTime }), {
    once: true,
  });
  video.addEventListener("ended", () => note({ type: "ended", at: video.currentTime }));
  window.heartbeat = async () => {
    const beat = await fetch(session.heartbeat_url, {
      method: "POST",
      headers: { ...headers, "Content-Type": "application/json" },
      body: JSON.stringify({
        seconds_watched: Math.floor(video.currentTime),
        position: video.currentTime,
      }),
    });
    note({ type: "heartbeat", status: beat.status, position: video.currentTime });
    return beat.status;
  };
  const every = (options.heartbeatSeconds || session.heartbeat_every) * 1000;
  window.heartbeats = setInterval(window.heartbeat, every);
  const parsed = new Promise((resolve) => hls.once(Hls.Events.MANIFEST_PARSED, resolve));
  hls.loadSource(session.master_playlist_url);
  hls.attachMedia(video);
  await parsed;
  video.playbackRate = options.rate || 1;
  video.defaultPlaybackRate = options.rate || 1;
  await video.play();
  return session;
};

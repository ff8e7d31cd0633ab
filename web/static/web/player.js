/*
 * The watch page's player: the reference client of the REST playback API.
 *
 * Play starts a session (POST /api/v1/films/{id}/playback/): the answer gives the HLS
 * master playlist, where to resume and how often to send a heartbeat. hls.js plays the
 * stream (Safari plays HLS itself). While the film plays or is paused, a heartbeat
 * records the position and the time watched; leaving the page or reaching the end ends
 * the session. Every refusal of the API is shown as the sentence it answers with.
 * Everything is operable with the keyboard: the buttons and lists are native controls.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("player-config").textContent);
  var video = document.getElementById("player-video");
  var playButton = document.getElementById("player-play");
  var subtitleList = document.getElementById("player-subtitles");
  var audioList = document.getElementById("player-audio");
  var statusLine = document.getElementById("player-status");
  var errorBox = document.getElementById("player-error");

  var session = null;
  var hls = null;
  var heartbeatTimer = null;
  var secondsWatched = 0;
  var lastTick = null;
  var ended = false;
  var announce = null; // said once playing starts (resuming: where)
  var starting = false; // the start is asked: the button stays focusable, but waits

  function say(text) {
    statusLine.textContent = text;
  }

  function fail(text) {
    errorBox.querySelector("p").textContent = text;
    errorBox.hidden = false;
  }

  function clearError() {
    errorBox.hidden = true;
  }

  function post(url, body, keepalive) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!keepalive,
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": config.csrf,
      },
      body: JSON.stringify(body || {}),
    }).then(function (response) {
      return response
        .json()
        .catch(function () {
          return null;
        })
        .then(function (data) {
          return { ok: response.ok, status: response.status, data: data };
        });
    });
  }

  function refusal(answer) {
    return (answer.data && answer.data.detail) || config.messages.networkError;
  }

  // --- time watched: counted while the video actually plays --------------------------
  function tick() {
    var now = Date.now();
    if (lastTick !== null && !video.paused && !video.seeking) {
      secondsWatched += (now - lastTick) / 1000;
    }
    lastTick = now;
  }

  function progress() {
    tick();
    var position = video.currentTime || 0;
    if (session && session.duration) {
      position = Math.min(position, session.duration);
    }
    return { seconds_watched: Math.floor(secondsWatched), position: position };
  }

  function heartbeat() {
    if (!session || ended) {
      return;
    }
    post(session.heartbeat_url, progress()).then(function (answer) {
      if (answer.status === 410 || answer.status === 404) {
        stop();
        fail(config.messages.sessionEnded);
      }
    });
  }

  function stop() {
    if (heartbeatTimer !== null) {
      clearInterval(heartbeatTimer);
      heartbeatTimer = null;
    }
    if (hls) {
      hls.destroy();
      hls = null;
    }
    session = null;
    video.removeAttribute("src");
    setButton(false);
  }

  function end(keepalive) {
    if (!session || ended) {
      return Promise.resolve();
    }
    ended = true;
    var url = session.end_url;
    var body = progress();
    if (heartbeatTimer !== null) {
      clearInterval(heartbeatTimer);
      heartbeatTimer = null;
    }
    if (hls) {
      // nothing more is asked for once the session ends: a playlist or segment still to
      // load (a subtitle track just chosen) would be refused, 410 session_ended
      hls.stopLoad();
    }
    return post(url, body, keepalive);
  }

  // --- tracks -----------------------------------------------------------------------------
  function option(value, label, selected) {
    var element = document.createElement("option");
    element.value = String(value);
    element.textContent = label;
    element.selected = !!selected;
    return element;
  }

  function fillSubtitles() {
    var tracks = hls ? hls.subtitleTracks : [];
    subtitleList.replaceChildren(option(-1, config.messages.subtitlesOff, hls.subtitleTrack < 0));
    tracks.forEach(function (track, index) {
      subtitleList.appendChild(option(index, track.name, index === hls.subtitleTrack));
    });
    subtitleList.disabled = tracks.length === 0;
  }

  function fillAudio() {
    var tracks = hls ? hls.audioTracks : [];
    audioList.replaceChildren();
    if (tracks.length === 0) {
      // no alternate audio in the stream: the film's own sound, nothing to choose
      audioList.appendChild(option(-1, config.messages.originalSound, true));
    }
    tracks.forEach(function (track, index) {
      audioList.appendChild(option(index, track.name, index === hls.audioTrack));
    });
    audioList.disabled = tracks.length < 2;
  }

  subtitleList.addEventListener("change", function () {
    if (!hls) {
      return;
    }
    var index = parseInt(subtitleList.value, 10);
    hls.subtitleDisplay = index >= 0;
    hls.subtitleTrack = index;
  });

  audioList.addEventListener("change", function () {
    if (hls) {
      hls.audioTrack = parseInt(audioList.value, 10);
    }
  });

  // --- playing ----------------------------------------------------------------------------
  function setButton(playing) {
    playButton.textContent = playing ? config.messages.pause : config.messages.play;
    playButton.classList.toggle("fr-icon-pause-circle-fill", playing);
    playButton.classList.toggle("fr-icon-play-fill", !playing);
  }

  function attach(url, resumeFrom) {
    if (window.Hls && window.Hls.isSupported()) {
      hls = new window.Hls({ startPosition: resumeFrom > 0 ? resumeFrom : -1 });
      hls.on(window.Hls.Events.MANIFEST_PARSED, function () {
        fillAudio();
        video.play().catch(function () {
          say(config.messages.paused);
        });
      });
      hls.on(window.Hls.Events.SUBTITLE_TRACKS_UPDATED, fillSubtitles);
      hls.on(window.Hls.Events.SUBTITLE_TRACK_SWITCH, fillSubtitles);
      hls.on(window.Hls.Events.AUDIO_TRACKS_UPDATED, fillAudio);
      hls.on(window.Hls.Events.ERROR, function (_event, data) {
        if (data.fatal) {
          stop();
          fail(config.messages.networkError);
        }
      });
      hls.loadSource(url);
      hls.attachMedia(video);
    } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = url;
      video.addEventListener(
        "loadedmetadata",
        function () {
          if (resumeFrom > 0) {
            video.currentTime = resumeFrom;
          }
          video.play();
        },
        { once: true }
      );
    } else {
      fail(config.messages.unsupported);
    }
  }

  function start() {
    clearError();
    say(config.messages.starting);
    starting = true;
    playButton.setAttribute("aria-disabled", "true");
    post(config.start, {}).then(
      function (answer) {
        starting = false;
        playButton.removeAttribute("aria-disabled");
        if (!answer.ok) {
          say("");
          fail(refusal(answer));
          return;
        }
        session = answer.data;
        ended = false;
        secondsWatched = 0;
        lastTick = null;
        attach(session.master_playlist_url, session.resume_from);
        heartbeatTimer = setInterval(heartbeat, session.heartbeat_every * 1000);
        announce = session.resume_from > 0 ? config.messages.resumed : null;
      },
      function () {
        starting = false;
        playButton.removeAttribute("aria-disabled");
        fail(config.messages.networkError);
      }
    );
  }

  playButton.addEventListener("click", function () {
    if (starting) {
      return;
    }
    if (!session) {
      start();
    } else if (video.paused) {
      video.play();
    } else {
      video.pause();
    }
  });

  video.addEventListener("play", function () {
    lastTick = Date.now();
    setButton(true);
    say(announce || config.messages.playing);
    announce = null;
  });
  video.addEventListener("pause", function () {
    tick();
    setButton(false);
    if (!video.ended) {
      say(config.messages.paused);
    }
  });
  video.addEventListener("ended", function () {
    setButton(false);
    say(config.messages.ended);
    end(false);
  });
  window.addEventListener("pagehide", function () {
    end(true);
  });

  // a test or a curious viewer can read the session's state, and end it now
  window.catalogPlayer = {
    video: video,
    end: function () {
      return end(false);
    },
    hls: function () {
      return hls;
    },
    session: function () {
      return session;
    },
  };
})();

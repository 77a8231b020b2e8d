"""Speech recognition with faster-whisper (CTranslate2), Simplified Chinese out.

Options default to what DESIGN.md measured on corpus/dev (CER 14.7 % with numerals folded):
int8 on CPU, language zh, greedy decoding (beam 1), a Simplified-Chinese initial prompt and
OpenCC t2s on the output, since Whisper still slips into Traditional characters now and then;
ASCII punctuation inside Chinese text is made full width. Dictated phone numbers are repaired and
read again on the audio (voice/asr/number_reading.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import ctranslate2
import numpy as np
from faster_whisper import WhisperModel
from faster_whisper.audio import pad_or_trim
from faster_whisper.tokenizer import Tokenizer
from faster_whisper.transcribe import get_suppressed_tokens

from voice.asr.base import SAMPLE_RATE, Segment, Transcript
from voice.asr.cached_decoder import DecoderWeights, OutputVocabulary, UnsupportedModel
from voice.asr.number_reading import NumberReader
from voice.asr.short_answers import read_short_answer
from voice.asr.whisper_text import (
    bare,
    broke_off,
    chinese_output_tokens,
    looks_looped,
    reads_prompt_back,
    says_nothing,
    tidy_segment_text,
    timed_texts,
    whisper_style,
    without_prompt_echo,
)
from voice.codec import first_sound
from voice.model_assets import ModelAssetError, default_cache_dir, explain_load_failure, resolve_whisper_model

DEFAULT_INITIAL_PROMPT = "以下是普通话的句子，使用简体中文。"
# The search width of a second listen (`listen_again`).
WIDE_BEAM = 5
# Candidate texts scored in one CTranslate2 `align` pass. Its memory grows with texts × tokens ×
# audio: 17 texts of ~250 characters over 58 s of a monologue took 2.6 GB more at its peak (the
# soak, bench/soak_calls.py, saw the server reach 5 GB on the dev corpus's one-minute monologues);
# 4 a pass took 0.7 GB, and less time (12 s against 21 s), on this CPU.
ALIGN_BATCH = 4
_ENCODER_MAX_FRAMES = 3000  # Whisper sees at most 30 s
_DECODER_MAX_TOKENS = 448
# Partial decodes: the encoder hears the audio plus this much padding (frames of 10 ms), and a
# window longer than WINDOW_MAX_S is decoded the usual way, in 30 s windows.
_WINDOW_PADDING_FRAMES = 500
WINDOW_MAX_S = 24.0
# A window without speech: Whisper's no-speech probability is high and the text it wrote anyway is
# unlikely (Whisper's own test, faster-whisper's defaults) or only our prompt read back (loud line
# noise reads 用简体中文。 at a mean log-probability of -0.9). The probability alone dropped a whole
# dictated address (d018_2: 0.604 with 1 s of encoder padding, 0.47 with 5; its text read fine).
_NO_SPEECH_PROB = 0.6
_LOG_PROB_FLOOR = -1.0
# Audio left unread after a window decode's last timestamp that is read on its own.
_UNREAD_TAIL_S = 1.2


class WhisperRecognizer:
    """One loaded Whisper model; safe to share between calls and threads.

    CTranslate2 runs concurrent `transcribe` calls itself (queued, or in parallel with
    `num_workers` > 1); the rest of the per-call work here keeps no shared state.
    """

    def __init__(
        self,
        model_path: str,
        device: str = "cpu",
        compute_type: str = "int8",
        language: str = "zh",
        beam_size: int = 1,
        initial_prompt: str | None = DEFAULT_INITIAL_PROMPT,
        cpu_threads: int = 0,
        num_workers: int = 1,
        restore_digits: bool = True,
        vad_filter: bool = True,
        random_seed: int | None = 0,
    ) -> None:
        self.model_path = model_path
        self.language = language
        self.beam_size = beam_size
        self.initial_prompt = initial_prompt
        self.restore_digits = restore_digits
        # Cutting the silences out before decoding lowered dev CER from 14.9 % to 14.5 % and
        # stopped Whisper from dropping the last words of long turns (a phone number, once).
        self.vad_filter = vad_filter
        if random_seed is not None:
            # Hard clips fall back to sampling at higher temperatures; a fixed seed makes the same
            # audio give the same text from one run to the next, so figures can be compared.
            ctranslate2.set_random_seed(random_seed)
        try:
            self._model = WhisperModel(
                model_path,
                device=device,
                compute_type=compute_type,
                cpu_threads=cpu_threads,
                num_workers=num_workers,
            )
        except Exception as exc:  # faster-whisper/HF hub raise many kinds; all mean "no usable model"
            raise ModelAssetError(explain_load_failure(model_path, exc)) from exc
        tokenizer = Tokenizer(
            self._model.hf_tokenizer, self._model.model.is_multilingual, task="transcribe", language=language
        )
        self._tokenizer = tokenizer
        self._encode_text = tokenizer.encode
        self._suppressed = list(get_suppressed_tokens(tokenizer, [-1]) or [])
        self._decoder_start = [*tokenizer.sot_sequence, tokenizer.no_timestamps]
        # Numbers are read again in Chinese digits: one token each, but for 零 (two).
        self._numbers = NumberReader(
            self._encode,
            lambda before, clause: [*self._start_tokens(self._previous_tokens(before)), *self._encode_text(clause)],
            [tokenizer.encode(digit) for digit in "零一二三四五六七八九"],
            self._load_number_decoder,
        )
        if restore_digits:
            # The numpy decoder holds 200 MB of float32 weights: loaded up front only where numbers
            # are read again, so the first caller who dictates one does not wait for it.
            self._numbers.load()

    def _load_number_decoder(self) -> tuple[DecoderWeights, OutputVocabulary]:
        try:
            weights = DecoderWeights.load(self.model_path)
        except UnsupportedModel as exc:
            raise ModelAssetError(f"cannot read the Whisper decoder in {self.model_path}: {exc}") from exc
        # Numbers are read again in Chinese text only: a step scores 5k tokens, not 52k.
        return weights, weights.outputs(chinese_output_tokens(self._tokenizer))

    def transcribe(self, audio: np.ndarray, hotwords: str | None = None) -> Transcript:
        """Transcribe one caller turn (16 kHz mono float32)."""
        return self._run(audio, hotwords=hotwords, progress=None)

    def transcribe_long(
        self,
        audio: np.ndarray,
        progress: Callable[[float], None] | None = None,
        hotwords: str | None = None,
    ) -> Transcript:
        """Transcribe a whole recording; `progress(fraction)` is called as segments come out."""
        return self._run(audio, hotwords=hotwords, progress=progress)

    def _run(
        self,
        audio: np.ndarray,
        hotwords: str | None,
        progress: Callable[[float], None] | None,
    ) -> Transcript:
        samples = np.ascontiguousarray(audio, dtype=np.float32).reshape(-1)
        segments = self.decode(samples, hotwords=hotwords, progress=progress)
        if self.restore_digits:
            segments = self.restore_numbers(segments, samples)
        text = "".join(segment.text for segment in segments)
        return Transcript(text=text, language=self.language, duration_s=samples.size / SAMPLE_RATE, segments=segments)

    def restore_numbers(self, segments: list[Segment], audio: np.ndarray) -> list[Segment]:
        """`segments` of `audio` with their dictated phone numbers repaired and read again."""
        return self._numbers.restore(segments, audio, read_again=self.language == "zh")

    def read_numbers_again(self, text: str, audio: np.ndarray, counted: Mapping[str, str] | None = None) -> str:
        """`text` (what was heard in `audio`) with each phone number read again digit by digit."""
        return self._numbers.read_again(text, audio, counted)

    def listen_again(self, audio: np.ndarray) -> str:
        """A turn decoded again with a wider search (beam 5), for words the quick decode did not
        catch: on the corpora's name turns it heard the name where the quick one heard none or no
        title (bench/name_again.py), at about a sixth more than the quick decode's cost."""
        return "".join(s.text for s in self.decode(audio, beam_size=WIDE_BEAM))

    def decode(
        self,
        audio: np.ndarray,
        said_before: str = "",
        hotwords: str | None = None,
        progress: Callable[[float], None] | None = None,
        beam_size: int | None = None,
    ) -> list[Segment]:
        """Whisper's segments for `audio` (times from its start), dictated numbers as Whisper wrote them.

        `said_before` is what the caller said just before this audio (the decoder's prompt).
        """
        samples = np.ascontiguousarray(audio, dtype=np.float32).reshape(-1)
        # Gateways fill pauses with digital silence (μ-law 0xff decodes to exact zeros) and a turn
        # starts with however much of it the VAD window took in. Whisper base's text moves with
        # that (dev call d013: its number right on 1 of 4 cuts with 0.3 s in front, 4 of 4 without),
        # so it is cut off and a turn reads the same wherever the window fell; segment times still
        # count from the start of `audio`.
        start = first_sound(samples)
        if start is None:
            if progress:
                progress(1.0)
            return []
        lead_s = start / SAMPLE_RATE
        samples = samples[start:]
        raw_segments, _ = self._model.transcribe(
            samples,
            language=self.language,
            beam_size=beam_size or self.beam_size,
            initial_prompt=self._prompt(said_before) or None,
            hotwords=hotwords or None,
            vad_filter=self.vad_filter,
        )
        segments = self._collect(raw_segments, samples.size / SAMPLE_RATE, progress)
        return [Segment(s.start + lead_s, s.end + lead_s, s.text) for s in segments] if lead_s else segments

    def decode_window(
        self,
        audio: np.ndarray,
        said_before: str = "",
        fallback: bool = True,
        prompted: bool = True,
        hotwords: str = "",
        _depth: int = 0,
    ) -> list[Segment] | None:
        """Like `decode`, for a stretch of speech of at most `WINDOW_MAX_S` (a turn's partial decodes).

        Whisper's encoder normally hears a full 30 s window, padding and all; over just the audio
        plus 5 s it costs a fraction (0.08 CPU-s for 10 s against 0.76 s for 30 s, measured here)
        and read the dev turns as well (CER 17.2 % against 17.7 % on eight calls). One greedy pass,
        no fallback to sampling: a partial decode that goes wrong is corrected by the next one.
        """
        samples = np.ascontiguousarray(audio, dtype=np.float32).reshape(-1)
        start = first_sound(samples)
        if start is None:
            return []
        speech = samples[start:]
        if speech.size > WINDOW_MAX_S * SAMPLE_RATE:
            return self.decode(samples, said_before, hotwords=hotwords or None)
        encoded = self._encoded(speech, _WINDOW_PADDING_FRAMES)
        tokenizer = self._tokenizer
        # Unprompted for a word or two: on so little audio Whisper may read the prompt back out.
        prompt_text = self._prompt(said_before) if prompted else whisper_style(said_before)
        # As faster-whisper places hotwords: first in the previous-text context, then what was said.
        context = f"{hotwords.strip()} {prompt_text}".strip()
        previous = self._previous_tokens(context)
        result = self._model.model.generate(
            encoded,
            [[tokenizer.sot_prev, *previous, *tokenizer.sot_sequence] if previous else list(tokenizer.sot_sequence)],
            beam_size=1,
            # CTranslate2 counts the prompt in max_length and writes at most half of it: 448 lets
            # the text run to Whisper's own 224 tokens (224 cut 20 s of a caller's words at 112).
            max_length=_DECODER_MAX_TOKENS,
            suppress_blank=True,
            suppress_tokens=self._suppressed,
            return_no_speech_prob=True,
            return_scores=True,
        )[0]
        lead_s = start / SAMPLE_RATE
        segments = [
            Segment(begin + lead_s, end + lead_s, text)
            for begin, end, raw in timed_texts(result.sequences_ids[0], tokenizer, speech.size / SAMPLE_RATE)
            if (text := without_prompt_echo(raw, self.initial_prompt))
        ]
        text = "".join(segment.text for segment in segments)
        if heard_no_speech(result.no_speech_prob, _mean_log_prob(result), text, context):
            return []
        if looks_looped(text) or broke_off(text) or (segments and says_nothing(text) and _depth == 0):
            # Greedy decoding got stuck repeating itself (呀呀呀…), broke off inside a character,
            # or wrote only a mark for seconds of speech (a live pause decode of 5.8 s of a
            # caller's words read "。", and the turn was stored as that). The usual decode falls
            # back to sampling at higher temperatures for exactly this. That can take seconds on
            # audio cut mid-word (15 s for 1.2 s, seen), so a partial decode (`fallback=False`)
            # gives up: None. The fallback's text may stop early too, and is read on below.
            if not fallback:
                return None
            segments = self.decode(samples, said_before, hotwords=hotwords or None)
            text = "".join(segment.text for segment in segments)
        heard_to = segments[-1].end - lead_s if segments else 0.0
        if segments and speech.size / SAMPLE_RATE - heard_to > _UNREAD_TAIL_S and _depth < 2:
            # Whisper ended its text well before the audio ends: after a pause it sometimes stops
            # (seen: 11 s of a caller's turn read as its first 6 s). Read the rest on its own, as
            # faster-whisper's seek does.
            said = said_before + text
            cut = int(heard_to * SAMPLE_RATE)
            rest = self.decode_window(speech[cut:], said, fallback, prompted, hotwords, _depth + 1)
            if rest is None:
                return None
            segments += [Segment(s.start + lead_s + heard_to, s.end + lead_s + heard_to, s.text) for s in rest]
        return segments

    def read_short_answer(self, audio: np.ndarray, heard: str) -> str:
        """A turn of a word or two (对, 不是): a common answer where one fits, else `heard`."""
        return read_short_answer(
            audio,
            heard,
            lambda samples: self.decode_window(samples, fallback=False, prompted=False),
            self.score_texts,
            self.initial_prompt or "",
        )

    def score_texts(
        self, audio: np.ndarray, texts: Sequence[str], context: str = "", total: bool = False
    ) -> list[float]:
        """How well each text fits `audio`: the log-probability of its tokens (the mean, or with
        `total` the sum), ALIGN_BATCH texts an aligned pass (CTranslate2's `align`), so ten
        candidates cost about three decodes. `context` is put before them as previous text, as hotwords are."""
        samples = np.ascontiguousarray(audio, dtype=np.float32).reshape(-1)
        encoded = np.array(self._encoded(samples, padding_frames=100))
        tokens = [self._encode_text(text) for text in texts]
        start = self._start_tokens(self._previous_tokens(context))
        mel_frames = samples.size // self._model.feature_extractor.hop_length
        scores: list[float] = []
        for first in range(0, len(texts), ALIGN_BATCH):
            chunk = tokens[first:first + ALIGN_BATCH]
            batch = ctranslate2.StorageView.from_array(np.ascontiguousarray(np.repeat(encoded, len(chunk), axis=0)))
            for result in self._model.model.align(batch, start, chunk, [mel_frames] * len(chunk)):
                log_probs = np.log(np.maximum(result.text_token_probs, 1e-9))
                scores.append(float(np.sum(log_probs) if total else np.mean(log_probs)))
        return scores

    def _collect(
        self,
        raw_segments: Iterable,
        duration_s: float,
        progress: Callable[[float], None] | None,
    ) -> list[Segment]:
        # faster-whisper decodes lazily: the work happens while this loop pulls segments.
        segments: list[Segment] = []
        for raw in raw_segments:
            text = without_prompt_echo(tidy_segment_text(raw.text), self.initial_prompt)
            if text:
                segments.append(Segment(start=float(raw.start), end=float(raw.end), text=text))
            if progress and duration_s > 0:
                progress(min(1.0, float(raw.end) / duration_s))
        if progress:
            progress(1.0)
        return segments

    def _start_tokens(self, previous: list[int]) -> list[int]:
        """The decoder's start: `previous` tokens (what was said before), then the transcript's start."""
        return [self._tokenizer.sot_prev, *previous, *self._decoder_start] if previous else self._decoder_start

    def _encode(self, audio: np.ndarray) -> np.ndarray:
        """Whisper's encoder output for `audio` (one row per 20 ms), on just that audio.

        A second of silence after the audio gives the last syllable its usual surroundings.
        """
        return np.array(self._encoded(audio, padding_frames=100))[0]

    def _encoded(self, audio: np.ndarray, padding_frames: int) -> ctranslate2.StorageView:
        """The encoder over `audio` plus `padding_frames` (10 ms each) of silence, a batch of one.

        The encoder takes shorter inputs than its 30 s window, and then costs that much less.
        """
        features = self._model.feature_extractor(audio, padding=0)
        frames = min(_ENCODER_MAX_FRAMES, features.shape[1] + padding_frames)
        features = pad_or_trim(features, frames - frames % 2)[np.newaxis].astype(np.float32)
        return self._model.model.encode(ctranslate2.StorageView.from_array(features))

    def _previous_tokens(self, context: str) -> list[int]:
        """`context` as the decoder's previous text: its last tokens, as many as Whisper takes."""
        return self._encode_text(" " + context)[-(_DECODER_MAX_TOKENS // 2 - 1) :] if context else []

    def _prompt(self, said_before: str) -> str:
        """The decoder's prompt: our initial prompt, then what the caller said before, in Whisper's style."""
        return f"{self.initial_prompt or ''}{whisper_style(said_before)}"


def _mean_log_prob(result: ctranslate2.models.WhisperGenerationResult) -> float:
    """The mean log-probability of a greedy result's tokens, as faster-whisper reckons it
    (CTranslate2 scores a sequence by its summed log-probability over its length)."""
    tokens = len(result.sequences_ids[0])
    return result.scores[0] * tokens / (tokens + 1)


def heard_no_speech(no_speech_prob: float, mean_log_prob: float, text: str, prompt: str) -> bool:
    """Whether a window decode heard no speech: Whisper thinks so and what it wrote says nothing
    new (see `_NO_SPEECH_PROB`)."""
    if no_speech_prob <= _NO_SPEECH_PROB:
        return False
    return mean_log_prob < _LOG_PROB_FLOOR or not bare(text) or reads_prompt_back(text, prompt)


def load_recognizer(
    model: str = "bundled-base",
    cache_dir: Path | None = None,
    **options,
) -> WhisperRecognizer:
    """Resolve `model` (bundled-base, a model name or a folder) and load it.

    Raises ModelAssetError with a message meant for the user (missing package, bad hash, a model
    name that cannot be downloaded here) instead of a library traceback.
    """
    model_path = resolve_whisper_model(model, cache_dir or default_cache_dir())
    return WhisperRecognizer(model_path, **options)

"""The PyTorch captioning code of assignment 2 (2025-2026): the reference's layers equal
torch.nn's, CaptioningRNN matches a computation written out by hand and the course's
known values, it can overfit a tiny caption set, and the starter code is unimplemented
where the student works and complete elsewhere. Fast: no grading workers."""
from __future__ import annotations

import time

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from conftest import REFERENCE, STARTER
from course_package import load_module

REF, START = REFERENCE / "assignment2", STARTER / "assignment2"
STUDENT_LAYERS = ("rnn_step_forward", "rnn_forward", "word_embedding_forward", "lstm_step_forward",
                  "lstm_forward")
PROVIDED_FILES = ("cs231n/coco_utils.py", "cs231n/captioning_solver_pytorch.py")


def layers(folder=REF, alias="a2_reference"):
    return load_module(folder, alias, "rnn_layers_pytorch")


def captioning(folder=REF, alias="a2_reference"):
    return load_module(folder, alias, "classifiers.rnn_pytorch")


def solver_module(folder=REF, alias="a2_reference"):
    return load_module(folder, alias, "captioning_solver_pytorch")


def coco(folder=REF, alias="a2_reference"):
    return load_module(folder, alias, "coco_utils")


def randn(generator, *shape):
    return torch.randn(*shape, generator=generator, dtype=torch.float64)


def close(got, expected, tol=1e-10):
    assert got.shape == expected.shape, (got.shape, expected.shape)
    assert torch.allclose(got, expected, rtol=tol, atol=tol), (got - expected).abs().max().item()


def ours_from_torch_lstm(weight):
    """torch.nn.LSTM's (4H, K) weight, gates i, f, g, o, as the course's (K, 4H), gates i, f, o, g."""
    i, f, g, o = weight.chunk(4, dim=0)
    return torch.cat([i, f, o, g], dim=0).T.contiguous()


# -- the layers -------------------------------------------------------------------------

def test_rnn_step_forward_equals_torch_rnn_cell():
    gen = torch.Generator().manual_seed(0)
    N, D, H = 3, 5, 4
    cell = torch.nn.RNNCell(D, H, nonlinearity="tanh").double()
    x, prev_h = randn(gen, N, D), randn(gen, N, H)
    with torch.no_grad():
        expected = cell(x, prev_h)
        got = layers().rnn_step_forward(x, prev_h, cell.weight_ih.T, cell.weight_hh.T,
                                        cell.bias_ih + cell.bias_hh)
    close(got, expected)


def test_rnn_forward_equals_torch_rnn():
    gen = torch.Generator().manual_seed(1)
    N, T, D, H = 2, 6, 5, 4
    net = torch.nn.RNN(D, H, nonlinearity="tanh", batch_first=True).double()
    x, h0 = randn(gen, N, T, D), randn(gen, N, H)
    with torch.no_grad():
        expected, _ = net(x, h0[None])
        got = layers().rnn_forward(x, h0, net.weight_ih_l0.T, net.weight_hh_l0.T,
                                   net.bias_ih_l0 + net.bias_hh_l0)
    close(got, expected)


def test_lstm_step_forward_equals_torch_lstm_cell_with_the_gates_reordered():
    gen = torch.Generator().manual_seed(2)
    N, D, H = 3, 5, 4
    cell = torch.nn.LSTMCell(D, H).double()
    x, prev_h, prev_c = randn(gen, N, D), randn(gen, N, H), randn(gen, N, H)
    with torch.no_grad():
        expected_h, expected_c = cell(x, (prev_h, prev_c))
        b = ours_from_torch_lstm((cell.bias_ih + cell.bias_hh)[:, None])[0]
        next_h, next_c = layers().lstm_step_forward(
            x, prev_h, prev_c, ours_from_torch_lstm(cell.weight_ih), ours_from_torch_lstm(cell.weight_hh), b)
    close(next_h, expected_h)
    close(next_c, expected_c)


def test_lstm_forward_equals_torch_lstm_from_a_zero_cell_state():
    gen = torch.Generator().manual_seed(3)
    N, T, D, H = 2, 7, 5, 4
    net = torch.nn.LSTM(D, H, batch_first=True).double()
    x, h0 = randn(gen, N, T, D), randn(gen, N, H)
    with torch.no_grad():
        expected, _ = net(x, (h0[None], torch.zeros(1, N, H, dtype=torch.float64)))
        b = ours_from_torch_lstm((net.bias_ih_l0 + net.bias_hh_l0)[:, None])[0]
        got = layers().lstm_forward(x, h0, ours_from_torch_lstm(net.weight_ih_l0),
                                    ours_from_torch_lstm(net.weight_hh_l0), b)
    close(got, expected)


def test_recurrent_layers_pass_a_gradient_check():
    gen = torch.Generator().manual_seed(4)
    N, T, D, H = 2, 3, 3, 2
    x, h0 = randn(gen, N, T, D), randn(gen, N, H)
    for forward, gates in ((layers().rnn_forward, 1), (layers().lstm_forward, 4)):
        inputs = tuple(t.requires_grad_() for t in
                       (x.clone(), h0.clone(), randn(gen, D, gates * H), randn(gen, H, gates * H),
                        randn(gen, gates * H)))
        assert torch.autograd.gradcheck(forward, inputs)


def test_word_embedding_looks_up_rows():
    gen = torch.Generator().manual_seed(5)
    W = randn(gen, 7, 3)
    x = torch.tensor([[0, 3, 6, 3], [1, 1, 0, 2]])
    got = layers().word_embedding_forward(x, W)
    close(got, F.embedding(x, W))
    close(got[1, 2], W[0])


def test_affine_and_temporal_affine_forward():
    gen = torch.Generator().manual_seed(6)
    x, w, b = randn(gen, 4, 2, 3), randn(gen, 6, 5), randn(gen, 5)
    close(layers().affine_forward(x, w, b), x.reshape(4, 6) @ w + b)
    x, w = randn(gen, 2, 3, 6), randn(gen, 6, 5)
    close(layers().temporal_affine_forward(x, w, b), torch.einsum("ntd,dm->ntm", x, w) + b)


def test_temporal_softmax_loss_is_masked_cross_entropy_summed_over_time_over_n(capsys):
    gen = torch.Generator().manual_seed(7)
    N, T, V = 4, 5, 6
    x = randn(gen, N, T, V)
    y = torch.randint(V, (N, T), generator=gen)
    mask = torch.rand(N, T, generator=gen) > 0.4
    per_step = F.cross_entropy(x.reshape(N * T, V), y.reshape(N * T), reduction="none").reshape(N, T)
    expected = (per_step * mask).sum() / N
    loss = layers().temporal_softmax_loss(x, y, mask)
    assert loss.ndim == 0
    close(loss, expected)
    close(layers().temporal_softmax_loss(x, y, torch.zeros(N, T, dtype=torch.bool)), torch.zeros((), dtype=x.dtype))
    layers().temporal_softmax_loss(x, y, mask, verbose=True)
    assert capsys.readouterr().out.strip()


# -- the model --------------------------------------------------------------------------

WORDS = {"<NULL>": 0, "<START>": 1, "<END>": 2, "a": 3, "cat": 4, "dog": 5, "sat": 6}


def injected_model(cell_type, seed=0, D=6, W=5, H=4, dtype=torch.float64):
    model = captioning().CaptioningRNN(WORDS, input_dim=D, wordvec_dim=W, hidden_dim=H,
                                       cell_type=cell_type, dtype=dtype)
    gen = torch.Generator().manual_seed(seed)
    for name, value in model.params.items():
        model.params[name] = (0.5 * randn(gen, *value.shape)).to(dtype).requires_grad_()
    return model


def by_hand(params, features, captions, cell_type, null=0):
    """The captioning loss, written out with plain torch operations."""
    p = params
    words_in, words_out = captions[:, :-1], captions[:, 1:]
    h = features @ p["W_proj"] + p["b_proj"]
    c = torch.zeros_like(h)
    H = h.shape[1]
    total = 0.0
    for t in range(words_in.shape[1]):
        a = p["W_embed"][words_in[:, t]] @ p["Wx"] + h @ p["Wh"] + p["b"]
        if cell_type == "rnn":
            h = torch.tanh(a)
        else:
            i, f, o = (torch.sigmoid(a[:, k * H:(k + 1) * H]) for k in range(3))
            c = f * c + i * torch.tanh(a[:, 3 * H:])
            h = o * torch.tanh(c)
        log_p = torch.log_softmax(h @ p["W_vocab"] + p["b_vocab"], dim=1)
        picked = log_p[torch.arange(len(h)), words_out[:, t]]
        total = total - (picked * (words_out[:, t] != null)).sum()
    return total / captions.shape[0]


@pytest.mark.parametrize("cell_type", ["rnn", "lstm"])
def test_loss_with_injected_weights_equals_the_computation_by_hand(cell_type):
    model = injected_model(cell_type)
    gen = torch.Generator().manual_seed(8)
    features = randn(gen, 3, 6)
    captions = torch.tensor([[1, 3, 4, 6, 2, 0, 0], [1, 5, 2, 0, 0, 0, 0], [1, 3, 5, 6, 3, 4, 2]])
    loss = model.loss(features, captions)
    assert loss.ndim == 0 and loss.dtype == torch.float64
    close(loss, by_hand(model.params, features, captions, cell_type))


@pytest.mark.parametrize("cell_type, features_from, expected", [("rnn", -1.5, 9.83235591003),
                                                                 ("lstm", -0.5, 9.82445935443)])
def test_loss_matches_the_course_notebooks_known_value(cell_type, features_from, expected):
    """The course's captioning notebooks: every parameter set to a linspace, known losses."""
    N, D, W, H, T = 10, 20, 30, 40, 13
    words = {"<NULL>": 0, "cat": 2, "dog": 3}
    model = captioning().CaptioningRNN(words, input_dim=D, wordvec_dim=W, hidden_dim=H, cell_type=cell_type,
                                       dtype=torch.float64)
    for name, value in model.params.items():
        model.params[name] = torch.from_numpy(np.linspace(-1.4, 1.3, num=value.numel()).reshape(value.shape))
    features = torch.from_numpy(np.linspace(features_from, features_from + 1.8, num=N * D).reshape(N, D))
    captions = (torch.arange(N * T) % len(words)).reshape(N, T)
    assert abs(model.loss(features, captions).item() - expected) < 1e-10


@pytest.mark.parametrize("cell_type", ["rnn", "lstm"])
def test_parameters_have_the_documented_shapes_and_dtype(cell_type):
    model = captioning().CaptioningRNN(WORDS, input_dim=6, wordvec_dim=5, hidden_dim=4, cell_type=cell_type)
    g = 4 if cell_type == "lstm" else 1
    V = len(WORDS)
    shapes = {"W_proj": (6, 4), "b_proj": (4,), "W_embed": (V, 5), "Wx": (5, 4 * g), "Wh": (4, 4 * g),
              "b": (4 * g,), "W_vocab": (4, V), "b_vocab": (V,)}
    assert {name: tuple(value.shape) for name, value in model.params.items()} == shapes
    for value in model.params.values():
        assert value.dtype == torch.float32 and value.is_leaf and value.requires_grad
    assert (model._null, model._start, model._end) == (0, 1, 2)
    with pytest.raises(ValueError):
        captioning().CaptioningRNN(WORDS, cell_type="gru")


@pytest.mark.parametrize("cell_type", ["rnn", "lstm"])
def test_gradients_reach_every_parameter(cell_type):
    model = injected_model(cell_type, dtype=torch.float32)
    gen = torch.Generator().manual_seed(9)
    captions = torch.tensor([[1, 3, 4, 6, 2, 0], [1, 5, 6, 2, 0, 0]])
    model.loss(randn(gen, 2, 6).float(), captions).backward()
    for name, value in model.params.items():
        assert value.grad is not None and value.grad.abs().sum() > 0, name
    # <NULL> is read only after a caption's end, where every later target is masked out
    assert model.params["W_embed"].grad[0].abs().sum() == 0


def greedy_by_hand(params, features, first_word, steps, cell_type):
    """Greedy sampling written out with plain torch operations."""
    p = {name: value.detach() for name, value in params.items()}
    h = features @ p["W_proj"] + p["b_proj"]
    c, H = torch.zeros_like(h), h.shape[1]
    word = torch.full((len(h),), first_word)
    words = []
    for _ in range(steps):
        a = p["W_embed"][word] @ p["Wx"] + h @ p["Wh"] + p["b"]
        if cell_type == "rnn":
            h = torch.tanh(a)
        else:
            i, f, o = (torch.sigmoid(a[:, k * H:(k + 1) * H]) for k in range(3))
            c = f * c + i * torch.tanh(a[:, 3 * H:])
            h = o * torch.tanh(c)
        word = torch.argmax(h @ p["W_vocab"] + p["b_vocab"], dim=1)
        words.append(word)
    return torch.stack(words, dim=1)


@pytest.mark.parametrize("cell_type", ["rnn", "lstm"])
def test_sample_is_greedy_from_start(cell_type):
    model = injected_model(cell_type)
    with torch.no_grad():
        model.params["W_embed"].mul_(4)  # so that the first word read shows in what follows
    gen = torch.Generator().manual_seed(10)
    features = randn(gen, 3, 6)
    captions = model.sample(features, max_length=5)
    assert captions.shape == (3, 5) and captions.dtype == torch.long and not captions.requires_grad
    assert model.sample(features).shape == (3, 30)
    expected = greedy_by_hand(model.params, features, WORDS["<START>"], 5, cell_type)
    assert not torch.equal(expected, greedy_by_hand(model.params, features, WORDS["<NULL>"], 5, cell_type))
    assert torch.equal(captions, expected)


# -- training ---------------------------------------------------------------------------

def synthetic_captions(seed, num_images=20, input_dim=32, num_words=10, length=8):
    """A tiny captioning set: one random caption (<START>, 3 to 6 words, <END>, <NULL>
    padding) per random feature vector; returns (data, word_to_idx)."""
    rng = np.random.default_rng(seed)
    vocab = ["<NULL>", "<START>", "<END>"] + ["w%d" % i for i in range(num_words)]
    captions = np.zeros((num_images, length), dtype=np.int64)
    for i in range(num_images):
        k = rng.integers(3, length - 1)
        captions[i, 0] = 1
        captions[i, 1:1 + k] = rng.integers(3, len(vocab), size=k)
        captions[i, 1 + k] = 2
    data = {"train_captions": captions, "train_image_idxs": np.arange(num_images),
            "train_features": rng.normal(size=(num_images, input_dim)).astype(np.float32)}
    return data, {w: i for i, w in enumerate(vocab)}


def overfit(cell_type, seed, steps=200, learning_rate=1e-2, input_dim=32, wordvec_dim=16, hidden_dim=32):
    """Train on a synthetic set with the solver (one full batch per step); returns the
    loss history, the share of captions sampled back exactly and the seconds taken."""
    data, words = synthetic_captions(seed, input_dim=input_dim)
    torch.manual_seed(seed)
    np.random.seed(seed)
    model = captioning().CaptioningRNN(words, input_dim=input_dim, wordvec_dim=wordvec_dim,
                                       hidden_dim=hidden_dim, cell_type=cell_type)
    solver = solver_module().CaptioningSolverPytorch(model, data, learning_rate=learning_rate,
                                                     batch_size=len(data["train_captions"]),
                                                     num_epochs=steps, verbose=False)
    started = time.perf_counter()
    solver.train()
    seconds = time.perf_counter() - started
    targets = data["train_captions"][:, 1:]
    sampled = model.sample(torch.from_numpy(data["train_features"]), max_length=targets.shape[1]).numpy()
    exact = np.mean(np.all((sampled == targets) | (targets == words["<NULL>"]), axis=1))
    return solver.loss_history, exact, seconds


@pytest.fixture
def one_thread():
    """Tiny matrices: more threads only wait on each other, badly so on a busy machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.parametrize("cell_type", ["rnn", "lstm"])
def test_overfits_a_tiny_caption_set(cell_type, one_thread):
    # measured (benchmarks/captioning_overfit.py, 3 seeds): from about 14 to 0.03-0.07 after 200 steps
    history, exact, seconds = overfit(cell_type, seed=0)
    print(f"{cell_type}: loss {history[0]:.3f} -> {history[-1]:.3f} in {seconds:.2f} s, {exact:.0%} sampled exactly")
    assert len(history) == 200
    assert history[0] > 10
    assert history[-1] < 0.3
    assert exact == 1.0


def test_solver_rejects_unknown_arguments():
    data, words = synthetic_captions(0)
    model = captioning().CaptioningRNN(words, input_dim=32)
    with pytest.raises(ValueError):
        solver_module().CaptioningSolverPytorch(model, data, update_rule="adam")


# -- coco_utils -------------------------------------------------------------------------

def test_decode_captions_drops_null_and_stops_at_end():
    idx_to_word = ["<NULL>", "<START>", "<END>", "a", "cat"]
    assert coco().decode_captions(np.array([1, 3, 4, 2, 3, 0]), idx_to_word) == "<START> a cat"
    assert coco().decode_captions(torch.tensor([[3, 0, 4], [4, 2, 4]]), idx_to_word) == ["a cat", "cat"]


def test_sample_coco_minibatch_pairs_captions_with_their_images():
    data, _ = synthetic_captions(1)
    data["train_urls"] = np.array(["url%d" % i for i in range(20)])
    np.random.seed(0)
    captions, features, urls = coco().sample_coco_minibatch(data, batch_size=7)
    assert captions.shape == (7, 8) and features.shape == (7, 32) and urls.shape == (7,)
    for caption, feature, url in zip(captions, features, urls):
        i = int(url[3:])
        assert np.array_equal(caption, data["train_captions"][i])
        assert np.array_equal(feature, data["train_features"][i])


def test_load_coco_data_reads_the_course_files(tmp_path):
    h5py = pytest.importorskip("h5py")
    with h5py.File(tmp_path / "coco2014_captions.h5", "w") as f:
        f["train_captions"] = np.array([[1, 3, 2], [1, 4, 2], [1, 3, 2]])
        f["train_image_idxs"] = np.array([0, 1, 1])
        f["val_captions"] = np.array([[1, 4, 2]])
        f["val_image_idxs"] = np.array([0])
    for split, count in (("train", 2), ("val", 1)):
        for suffix, dim in (("_pca", 4), ("", 6)):
            with h5py.File(tmp_path / f"{split}2014_vgg16_fc7{suffix}.h5", "w") as f:
                f["features"] = np.ones((count, dim), dtype=np.float32)
        (tmp_path / f"{split}2014_urls.txt").write_text("".join(f"http://x/{i}\n" for i in range(count)))
    (tmp_path / "coco2014_vocab.json").write_text(
        '{"idx_to_word": ["<NULL>", "<START>", "<END>", "a", "cat"], '
        '"word_to_idx": {"<NULL>": 0, "<START>": 1, "<END>": 2, "a": 3, "cat": 4}}')
    data = coco().load_coco_data(base_dir=str(tmp_path))
    assert data["train_features"].shape == (2, 4) and data["val_features"].shape == (1, 4)
    assert data["word_to_idx"]["cat"] == 4 and list(data["train_urls"]) == ["http://x/0", "http://x/1"]
    data = coco().load_coco_data(base_dir=str(tmp_path), max_train=2, pca_features=False)
    assert data["train_features"].shape == (2, 6) and data["train_captions"].shape == (2, 3)


def test_only_load_coco_data_needs_h5py(tmp_path):
    """The module imports without h5py (the other tests use it); loading the files needs it."""
    try:
        import h5py  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError):
            coco().load_coco_data(base_dir=str(tmp_path))
    else:
        pytest.skip("h5py is installed")


# -- the starter code -------------------------------------------------------------------

def test_starter_layers_are_unimplemented_and_the_provided_ones_work():
    starter, reference = layers(START, "a2_starter"), layers()
    gen = torch.Generator().manual_seed(11)
    x, h, c = randn(gen, 2, 3), randn(gen, 2, 4), randn(gen, 2, 4)
    assert starter.rnn_step_forward(x, h, randn(gen, 3, 4), randn(gen, 4, 4), randn(gen, 4)) is None
    assert starter.rnn_forward(randn(gen, 2, 5, 3), h, randn(gen, 3, 4), randn(gen, 4, 4), randn(gen, 4)) is None
    assert starter.word_embedding_forward(torch.tensor([[0, 1]]), randn(gen, 3, 2)) is None
    assert starter.lstm_step_forward(x, h, c, randn(gen, 3, 16), randn(gen, 4, 16), randn(gen, 16)) == (None, None)
    assert starter.lstm_forward(randn(gen, 2, 5, 3), h, randn(gen, 3, 16), randn(gen, 4, 16), randn(gen, 16)) is None

    x3, w, b = randn(gen, 2, 5, 3), randn(gen, 3, 4), randn(gen, 4)
    close(starter.affine_forward(x, w, b), reference.affine_forward(x, w, b))
    close(starter.temporal_affine_forward(x3, w, b), reference.temporal_affine_forward(x3, w, b))
    y, mask = torch.randint(4, (2, 5), generator=gen), torch.ones(2, 5, dtype=torch.bool)
    scores = randn(gen, 2, 5, 4)
    close(starter.temporal_softmax_loss(scores, y, mask), reference.temporal_softmax_loss(scores, y, mask))


@pytest.mark.parametrize("cell_type", ["rnn", "lstm"])
def test_starter_model_builds_and_its_loss_and_sample_are_unimplemented(cell_type):
    model = captioning(START, "a2_starter").CaptioningRNN(WORDS, input_dim=6, wordvec_dim=5, hidden_dim=4,
                                                         cell_type=cell_type)
    reference = captioning().CaptioningRNN(WORDS, input_dim=6, wordvec_dim=5, hidden_dim=4, cell_type=cell_type)
    assert {k: v.shape for k, v in model.params.items()} == {k: v.shape for k, v in reference.params.items()}
    features = torch.zeros(2, 6)
    assert model.loss(features, torch.tensor([[1, 3, 2], [1, 4, 2]])) is None
    assert model.sample(features, max_length=4) is None


def test_provided_files_are_the_same_in_starter_and_reference():
    for name in PROVIDED_FILES:
        assert (START / name).read_bytes() == (REF / name).read_bytes(), name

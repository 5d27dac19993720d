"""An image captioning model: a vanilla RNN or an LSTM on torch tensors."""

import numpy as np
import torch

from ..rnn_layers_pytorch import *


class CaptioningRNN:
    """
    A CaptioningRNN writes captions for images from their feature vectors
    with a recurrent network (a vanilla RNN or an LSTM).

    An image feature vector has size D; the vocabulary has V words; a
    caption has T + 1 words (the training targets are T long); the hidden
    state has size H and a word vector size W; a minibatch holds N images.

    The architecture is: the image features, through an affine layer, give
    the initial hidden state; each word of the caption is embedded and read
    by the RNN; a temporal affine layer turns every hidden state into
    scores over the vocabulary; a temporal softmax loss, which ignores
    <NULL> padding, compares them with the next word. There is no
    regularization.

    The learnable parameters live in the dictionary self.params, as torch
    tensors that require gradients:
    - 'W_proj': (D, H), 'b_proj': (H,): image features to initial hidden state.
    - 'W_embed': (V, W): the word vectors.
    - 'Wx': (W, H), 'Wh': (H, H), 'b': (H,) for a vanilla RNN, or
      (W, 4H), (H, 4H), (4H,) for an LSTM.
    - 'W_vocab': (H, V), 'b_vocab': (V,): hidden states to word scores.
    """

    def __init__(
        self,
        word_to_idx,
        input_dim=512,
        wordvec_dim=128,
        hidden_dim=128,
        cell_type="rnn",
        dtype=torch.float32,
    ):
        """
        Build a new CaptioningRNN.

        Inputs:
        - word_to_idx: dictionary of the vocabulary: V entries mapping each
          word to a distinct integer in [0, V). It holds '<NULL>', and the
          '<START>' and '<END>' tokens that open and close every caption.
        - input_dim: int, size D of an image feature vector.
        - wordvec_dim: int, size W of a word vector.
        - hidden_dim: int, size H of the hidden state.
        - cell_type: 'rnn' or 'lstm'.
        - dtype: torch dtype of every parameter; float32 trains faster,
          float64 is needed for numerical gradient checks.
        """
        if cell_type not in {"rnn", "lstm"}:
            raise ValueError('Invalid cell_type "%s"' % cell_type)

        self.cell_type = cell_type
        self.dtype = dtype
        self.word_to_idx = word_to_idx
        self.idx_to_word = {i: w for w, i in word_to_idx.items()}
        self.params = {}

        vocab_size = len(word_to_idx)

        self._null = word_to_idx["<NULL>"]
        self._start = word_to_idx.get("<START>", None)
        self._end = word_to_idx.get("<END>", None)

        # Small random word vectors.
        self.params["W_embed"] = torch.randn(vocab_size, wordvec_dim) / 100

        # Image features to the initial hidden state.
        self.params["W_proj"] = torch.randn(input_dim, hidden_dim) / np.sqrt(input_dim)
        self.params["b_proj"] = torch.zeros(hidden_dim)

        # The recurrent cell; an LSTM has four gates, hence 4H columns.
        gates = {"lstm": 4, "rnn": 1}[cell_type]
        self.params["Wx"] = torch.randn(wordvec_dim, gates * hidden_dim) / np.sqrt(wordvec_dim)
        self.params["Wh"] = torch.randn(hidden_dim, gates * hidden_dim) / np.sqrt(hidden_dim)
        self.params["b"] = torch.zeros(gates * hidden_dim)

        # Hidden states to word scores.
        self.params["W_vocab"] = torch.randn(hidden_dim, vocab_size) / np.sqrt(hidden_dim)
        self.params["b_vocab"] = torch.zeros(vocab_size)

        # Cast to the requested dtype; every parameter is a leaf tensor that
        # requires gradients, so that autograd and torch.optim can use it.
        for name, value in self.params.items():
            self.params[name] = value.to(dtype).requires_grad_()

    def loss(self, features, captions):
        """
        Compute the training-time loss of the model.

        The caption is split into the words the RNN reads (captions_in, all
        but the last) and the words it must predict (captions_out, all but
        the first, <START>): at every timestep the target is the next word.
        Targets that are <NULL> (padding) do not count.

        Inputs:
        - features: tensor of shape (N, D), the image features.
        - captions: long tensor of shape (N, T + 1) of word indices, each in
          [0, V).

        Returns:
        - loss: scalar tensor, the temporal softmax loss; loss.backward()
          gives the gradient of every parameter.
        """
        captions_in = captions[:, :-1]
        captions_out = captions[:, 1:]
        mask = captions_out != self._null

        W_proj, b_proj = self.params["W_proj"], self.params["b_proj"]
        W_embed = self.params["W_embed"]
        Wx, Wh, b = self.params["Wx"], self.params["Wh"], self.params["b"]
        W_vocab, b_vocab = self.params["W_vocab"], self.params["b_vocab"]

        loss = None
        # ==================== TODO ==================== #
        # Compute the loss with the layers of rnn_layers_pytorch.py:
        # (1) the initial hidden state, of shape (N, H), is an affine map of
        #     the image features (W_proj, b_proj);
        # (2) embed the words of captions_in: (N, T, W);
        # (3) run rnn_forward or lstm_forward, as self.cell_type says, over
        #     the embedded words: (N, T, H);
        # (4) score every word of the vocabulary at every timestep with a
        #     temporal affine layer (W_vocab, b_vocab): (N, T, V);
        # (5) temporal_softmax_loss of these scores against captions_out,
        #     with mask. Store the result in loss.
        # ============================================== #
        pass
        # ============== END OF YOUR CODE ============== #

        return loss

    def sample(self, features, max_length=30):
        """
        Sample captions for images, greedily: the first word read is
        <START>, and at every step the RNN is fed the highest-scoring word
        of the step before. Every one of the max_length steps writes its
        word, also after an <END>; decode_captions stops at the first <END>.
        No gradients are computed.

        Inputs:
        - features: tensor of shape (N, D), the image features.
        - max_length: int, the number of words sampled.

        Returns:
        - captions: long tensor of shape (N, max_length) of word indices;
          captions[:, t] is the word sampled at step t (the <START> read
          first is not part of it).
        """
        N = features.shape[0]

        W_proj, b_proj = self.params["W_proj"], self.params["b_proj"]
        W_embed = self.params["W_embed"]
        Wx, Wh, b = self.params["Wx"], self.params["Wh"], self.params["b"]
        W_vocab, b_vocab = self.params["W_vocab"], self.params["b_vocab"]

        captions = None
        # ==================== TODO ==================== #
        # Sample the captions, under torch.no_grad(). Start from
        # captions = a long tensor of shape (N, max_length) filled with
        # self._null. The initial hidden state is the affine map of the
        # features (as in loss), and the first word read is self._start
        # for every image. At each step t:
        # (1) embed the previous word: (N, W);
        # (2) one step of the RNN (rnn_step_forward), or of the LSTM
        #     (lstm_step_forward, with a cell state of zeros at first);
        # (3) score the vocabulary with an affine map of the new hidden
        #     state (W_vocab, b_vocab): (N, V);
        # (4) the highest-scoring word is captions[:, t] and the next word
        #     read.
        # No loop over the N images: every step handles the whole minibatch.
        # ============================================== #
        pass
        # ============== END OF YOUR CODE ============== #
        return captions

"""Trains a PyTorch captioning model (classifiers/rnn_pytorch.py) with Adam."""

import numpy as np
import torch

from .coco_utils import sample_coco_minibatch


class CaptioningSolverPytorch(object):
    """
    A CaptioningSolverPytorch trains an image captioning model with
    torch.optim.Adam on random minibatches of captions.

    Give the constructor a model, a dataset and options, then call train().
    Afterwards solver.loss_history holds the loss of every minibatch.

    Example:

        data = load_coco_data(max_train=50)
        model = CaptioningRNN(data['word_to_idx'], input_dim=512,
                              wordvec_dim=256, hidden_dim=512)
        solver = CaptioningSolverPytorch(model, data, learning_rate=5e-3,
                                         num_epochs=50, batch_size=25,
                                         print_every=10)
        solver.train()

    The model must provide:
    - model.params: dictionary from parameter names to torch tensors, the
      parameters that are trained.
    - model.loss(features, captions): the loss as a scalar tensor, with
      - features: tensor of shape (N, D), the image features;
      - captions: long tensor of shape (N, T) of word indices, each in
        [0, V).
    """

    def __init__(self, model, data, **kwargs):
        """
        Construct a new CaptioningSolverPytorch.

        Required arguments:
        - model: a model object with the interface described above.
        - data: a dictionary of training data as load_coco_data returns it
          (at least 'train_captions', 'train_image_idxs' and
          'train_features').

        Optional keyword arguments:
        - learning_rate: float, Adam's learning rate (default 1e-3).
        - batch_size: int, number of captions per minibatch (default 100).
        - num_epochs: int, number of epochs of training (default 10).
        - print_every: int; the training loss is printed every print_every
          iterations (default 10).
        - verbose: bool; False keeps training silent (default True).
        """
        self.model = model
        self.data = data

        self.learning_rate = kwargs.pop("learning_rate", 1e-3)
        self.batch_size = kwargs.pop("batch_size", 100)
        self.num_epochs = kwargs.pop("num_epochs", 10)
        self.print_every = kwargs.pop("print_every", 10)
        self.verbose = kwargs.pop("verbose", True)

        # Anything left over is an argument we do not know.
        if len(kwargs) > 0:
            unknown = ", ".join('"%s"' % name for name in kwargs)
            raise ValueError("Unrecognized arguments %s" % unknown)

        self._reset()

    def _reset(self):
        """
        Set up the bookkeeping of an optimization run and a fresh optimizer
        over model.params. Called by the constructor; do not call it by hand.
        """
        self.epoch = 0
        self.loss_history = []
        for value in self.model.params.values():
            value.requires_grad_()
        self.optim = torch.optim.Adam(list(self.model.params.values()), lr=self.learning_rate)

    def _step(self):
        """
        Make a single gradient update on a random minibatch. Called by
        train(); do not call it by hand.
        """
        captions, features, _ = sample_coco_minibatch(
            self.data, batch_size=self.batch_size, split="train"
        )
        dtype = next(iter(self.model.params.values())).dtype
        captions = torch.as_tensor(np.asarray(captions), dtype=torch.long)
        features = torch.as_tensor(np.asarray(features), dtype=dtype)

        loss = self.model.loss(features, captions)
        self.optim.zero_grad()
        loss.backward()
        self.optim.step()
        self.loss_history.append(loss.item())

    def train(self):
        """Run the optimization to train the model."""
        num_train = self.data["train_captions"].shape[0]
        iterations_per_epoch = max(num_train // self.batch_size, 1)
        num_iterations = self.num_epochs * iterations_per_epoch

        for t in range(num_iterations):
            self._step()

            if self.verbose and t % self.print_every == 0:
                print(
                    "(Iteration %d / %d) loss: %f"
                    % (t + 1, num_iterations, self.loss_history[-1])
                )

            if (t + 1) % iterations_per_epoch == 0:
                self.epoch += 1

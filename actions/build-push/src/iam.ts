/**
 * Every AWS API action build-push may need. The README's policy lists exactly these; a test checks
 * the control-plane list against the commands the source sends, and the data-plane list is what
 * `docker push` and the manifest retag need from ECR's registry API.
 */
export const IAM_ACTIONS = {
  /** Sent through the SDK. */
  controlPlane: ['ecr:GetAuthorizationToken', 'ecr:DescribeRepositories'],
  /** Only with create-repository: true. */
  createRepository: ['ecr:CreateRepository'],
  /** The registry API (docker push, cache export, manifest GET/PUT for retags). */
  dataPlane: [
    'ecr:BatchCheckLayerAvailability',
    'ecr:BatchGetImage',
    'ecr:GetDownloadUrlForLayer',
    'ecr:InitiateLayerUpload',
    'ecr:UploadLayerPart',
    'ecr:CompleteLayerUpload',
    'ecr:PutImage',
  ],
} as const;
